import { isCairnError, isStopError, maxDecodedBytes, type CairnError, type OriginId } from '../../domain';
import type { Codec } from '../ports/Codec';
import type { Transport } from '../ports/Transport';
import { isCorruption, verifyArtifact } from './ArtifactVerifier';
import type { PackRef } from './MetaPacks';

/** The verdict on a pack's bytes as received: sound (with its canonical bytes), or damaged (and how). */
export type PackCheck = { readonly ok: true; readonly canonical: Uint8Array } | { readonly ok: false; readonly error: CairnError };

/**
 * Verify a pack's bytes against its name. A pack of a newer format whose bytes decode is sound: it is stored
 * and relayed as received, never taken for damage. Damage is returned; any other error is thrown.
 */
export async function checkPack(codec: Codec, origin: OriginId, ref: PackRef, raw: Uint8Array): Promise<PackCheck> {
  try {
    return { ok: true, canonical: (await verifyArtifact(codec, origin, ref, raw)).canonical };
  } catch (err) {
    if (isCairnError(err, 'VERSION_UNSUPPORTED')) return { ok: true, canonical: await codec.decompress(raw, maxDecodedBytes('metaPack')) };
    if (isCorruption(err) || isCairnError(err, 'HLC_INVALID')) return { ok: false, error: err as CairnError };
    throw err;
  }
}

/**
 * Damage that proves the bytes are not the content their name hashes: they do not inflate (zstd), or what they
 * inflate to hashes to another name. Only such a copy may be removed by someone who cannot replace it. A size
 * over this reader's limits, or a schema it cannot read once the hash matched, may be a newer writer's valid
 * pack: never removed on that ground.
 */
export function provesDamage(error: CairnError): boolean {
  return error.code === 'HASH_MISMATCH' || error.code === 'CODEC_FAILED';
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/**
 * Remove a confirmed-damaged copy at a target on a reader's behalf. A target may refuse (an HTTP peer never
 * lets others delete under its own origin): the damage then stays quarantined here, and the sync goes on.
 */
export async function removeDamagedCopy(target: Transport, key: string): Promise<boolean> {
  try {
    return await target.delete(key);
  } catch (err) {
    if (isStopError(err) || !isCairnError(err)) throw err;
    return false;
  }
}

import {
  CairnError,
  decodeMetaEvent,
  envelopeOrigin,
  isCairnError,
  isCompressed,
  maxDecodedBytes,
  maxWireBytes,
  parseArtifactKey,
  sha256Hex,
  type ArtifactRef,
  type OriginId,
} from '../../domain';
import type { ArtifactStore, PutOutcome } from '../ports/ArtifactStore';
import type { Codec } from '../ports/Codec';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import { isCorruption, verifyArtifact } from '../services/ArtifactVerifier';

/** Errors that mean "these bytes are not a valid artifact for their name". */
export function isDamage(err: unknown): boolean {
  return isCorruption(err) || isCairnError(err, 'HLC_INVALID') || isCairnError(err, 'TOO_LARGE');
}

/**
 * What a peer accepts from another machine (an HTTP `serve` receiving puts): an artifact is stored only when
 * its key is an artifact name, its bytes fit the size limit of its kind, decode, hash to its name, follow
 * the schema of their version and name the origin whose folder they are published in. Artifacts of a newer
 * format version are stored and relayed (DESIGN: they are imported after an upgrade) once what every version
 * agrees on checks out: the hash of the decoded bytes, and the origin the content names. Nothing is ever
 * published under this peer's own origin by anyone else, and nothing valid is ever replaced.
 */
export class ReceiveArtifact {
  constructor(
    private readonly own: OriginId,
    private readonly store: ArtifactStore,
    private readonly artifacts: ArtifactRepository,
    private readonly codec: Codec,
  ) {}

  /** Verify and publish write-once: created, identical (the same decoded content) or conflict. */
  async put(key: string, raw: Uint8Array): Promise<PutOutcome> {
    const { origin, ref } = this.parse(key);
    if (origin === this.own) {
      const existing = await this.store.get(key);
      if (existing && Buffer.compare(Buffer.from(existing), Buffer.from(raw)) === 0) return 'identical';
      throw new CairnError('FORBIDDEN', `${key} is under this peer's own origin: only this peer publishes as ${origin}`);
    }
    const canonical = await this.verify(origin, ref, raw);
    if (ref.kind === 'checkpoint') await this.checkChain(origin, ref.seq, canonical);
    try {
      // A damaged copy under the name is replaced by these verified bytes; a valid different one is a conflict.
      return await this.artifacts.storeRaw(origin, ref, raw, canonical);
    } catch (err) {
      if (isCairnError(err, 'ARTIFACT_CONFLICT')) return 'conflict';
      throw err;
    }
  }

  /**
   * Delete a copy that fails verification (so the pushing side can heal it); a copy that verifies is never
   * deleted (ARTIFACT_CONFLICT). False when the key is absent.
   */
  async deleteDamaged(key: string): Promise<boolean> {
    const { origin, ref } = this.parse(key);
    if (origin === this.own) throw new CairnError('FORBIDDEN', `${key} is under this peer's own origin: only this peer changes it`);
    let raw: Uint8Array | null;
    try {
      raw = await this.store.get(key);
    } catch (err) {
      if (!isDamage(err)) throw err;
      return this.store.delete(key);
    }
    if (raw === null) return false;
    try {
      await this.verify(origin, ref, raw);
    } catch (err) {
      if (!isDamage(err)) throw err;
      return this.store.delete(key);
    }
    throw new CairnError('ARTIFACT_CONFLICT', `${key} verifies here: only a damaged copy can be deleted through a peer`);
  }

  /** The artifact a key names; anything else is ARTIFACT_NAME_INVALID. */
  parse(key: string): { origin: OriginId; ref: ArtifactRef } {
    const parsed = parseArtifactKey(key);
    if (!parsed) throw new CairnError('ARTIFACT_NAME_INVALID', `${JSON.stringify(key.slice(0, 200))} is not an artifact key <origin>/<dir>/<name>`);
    return parsed;
  }

  /** Verify bytes as received; returns their canonical (decoded) bytes. */
  async verify(origin: OriginId, ref: ArtifactRef, raw: Uint8Array): Promise<Uint8Array> {
    if (raw.length > maxWireBytes(ref.kind)) {
      throw new CairnError('TOO_LARGE', `a ${ref.kind} of ${raw.length} bytes is over the ${maxWireBytes(ref.kind)}-byte limit`);
    }
    try {
      if (ref.kind === 'meta') {
        decodeMetaEvent(raw, { origin, hlc: ref.hlc, hash: ref.hash });
        return raw;
      }
      return (await verifyArtifact(this.codec, origin, ref, raw)).canonical;
    } catch (err) {
      if (!isCairnError(err, 'VERSION_UNSUPPORTED')) throw err;
    }
    // A newer format: check what every version agrees on, then keep it for an upgrade to import.
    const canonical = isCompressed(ref.kind) ? await this.codec.decompress(raw, maxDecodedBytes(ref.kind)) : raw;
    if ('hash' in ref && sha256Hex(canonical) !== ref.hash) {
      throw new CairnError('HASH_MISMATCH', `${ref.kind} of ${origin} does not hash to its name`);
    }
    const named = envelopeOrigin(canonical);
    if (named !== origin) throw new CairnError('ARTIFACT_INVALID', `a ${ref.kind} published under ${origin} names origin ${JSON.stringify(named)}`);
    return canonical;
  }

  /**
   * A checkpoint must continue the history held here: its `prev` is the hash of the checkpoint before it, and
   * the one after it names it. Another chain under the same origin id is a fork, refused (as pull does).
   */
  private async checkChain(origin: OriginId, seq: number, canonical: Uint8Array): Promise<void> {
    const mine = sha256Hex(canonical);
    const held = async (s: number): Promise<{ checkpoint: { prev: string | null }; hash: string } | null> =>
      s >= 1 ? this.artifacts.checkpoint(origin, s).catch(() => null) : null;
    const prev = (JSON.parse(Buffer.from(canonical).toString('utf8')) as { prev?: unknown }).prev;
    const before = await held(seq - 1);
    const after = await held(seq + 1);
    if ((before && prev !== before.hash) || (after && after.checkpoint.prev !== mine)) {
      throw new CairnError('ARTIFACT_CONFLICT', `checkpoint ${seq} of ${origin} does not continue the history held here: two stores publish under one origin id`);
    }
  }
}

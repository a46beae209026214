import {
  CairnError,
  decodeCheckpoint,
  decodeManifest,
  decodeMetaPack,
  type DecodedMetaPack,
  verifySegmentEnvelope,
  isCairnError,
  isCompressed,
  maxDecodedBytes,
  sha256Hex,
  type ArtifactRef,
  type Checkpoint,
  type SegmentHeader,
  type Manifest,
  type OriginId,
  type StreamId,
} from '../../domain';
import type { Codec } from '../ports/Codec';

/** What is known about an artifact before it is fetched, from the manifest or segment that references it. */
export interface Expectation {
  readonly stream?: StreamId;
  readonly from?: number;
  readonly to?: number;
  /** Canonical size in bytes. */
  readonly bytes?: number;
}

export type Verified =
  | { readonly kind: 'segment'; readonly canonical: Uint8Array; readonly header: SegmentHeader }
  | { readonly kind: 'manifest'; readonly canonical: Uint8Array; readonly manifest: Manifest }
  | { readonly kind: 'checkpoint'; readonly canonical: Uint8Array; readonly checkpoint: Checkpoint }
  | { readonly kind: 'metaPack'; readonly canonical: Uint8Array; readonly pack: DecodedMetaPack }
  | { readonly kind: 'blob' | 'meta'; readonly canonical: Uint8Array };

/** Error codes that mean "these bytes are damaged": quarantine, never import, never copy onward. */
const CORRUPT = new Set(['HASH_MISMATCH', 'ARTIFACT_INVALID', 'CODEC_FAILED', 'CODEC_UNSUPPORTED', 'DECOMPRESSED_TOO_LARGE']);

export function isCorruption(err: unknown): boolean {
  return isCairnError(err) && CORRUPT.has(err.code);
}

/** Verify bytes as received against their name and what references them: hash, size, schema, origin. */
export async function verifyArtifact(codec: Codec, origin: OriginId, ref: ArtifactRef, raw: Uint8Array, expect: Expectation = {}): Promise<Verified> {
  const canonical = isCompressed(ref.kind) ? await codec.decompress(raw, maxDecodedBytes(ref.kind)) : raw;
  if (!isCompressed(ref.kind) && raw.length > maxDecodedBytes(ref.kind)) {
    throw new CairnError('DECOMPRESSED_TOO_LARGE', `${ref.kind} of ${origin} is ${raw.length} bytes, over the limit`);
  }
  if (expect.bytes !== undefined && canonical.length !== expect.bytes) {
    throw new CairnError('ARTIFACT_INVALID', `${ref.kind} of ${origin} is ${canonical.length} bytes, but is referenced as ${expect.bytes}`);
  }
  switch (ref.kind) {
    case 'segment':
      // Hash, header and line count: enough to store and relay; the import decodes every entry before use.
      return { kind: 'segment', canonical, header: verifySegmentEnvelope(canonical, { hash: ref.hash, origin, ...expect }) };
    case 'manifest':
      return { kind: 'manifest', canonical, manifest: decodeManifest(canonical, { hash: ref.hash, origin }) };
    case 'checkpoint':
      return { kind: 'checkpoint', canonical, checkpoint: decodeCheckpoint(canonical, { origin, seq: ref.seq }) };
    case 'metaPack':
      return { kind: 'metaPack', canonical, pack: decodeMetaPack(canonical, { origin, hlc: ref.hlc, after: ref.after, hash: ref.hash }) };
    case 'blob':
    case 'meta': {
      const actual = sha256Hex(canonical);
      if (actual !== ref.hash) throw new CairnError('HASH_MISMATCH', `${ref.kind} of ${origin} hashes to ${actual.slice(0, 12)}, not its name`);
      return { kind: ref.kind, canonical };
    }
  }
}

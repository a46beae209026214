import {
  artifactKey,
  CairnError,
  checkpointRef,
  decodeCheckpoint,
  decodeManifest,
  decodeSegment,
  isCompressed,
  manifestRef,
  maxDecodedBytes,
  parseArtifactKey,
  isCairnError,
  segmentHeaderBlobs,
  segmentRef,
  type BlobRef,
  sha256Hex,
  type ArtifactRef,
  type Checkpoint,
  type ContentHash,
  type DecodedSegment,
  type Manifest,
  type OriginId,
  type SegmentExpectation,
} from '../../domain';
import type { ArtifactStore } from '../ports/ArtifactStore';
import type { Codec } from '../ports/Codec';
import { PulledSegments } from './PulledSegments';

/** Canonical bytes of pulled segments held for the import of the same sync: four segments at the size limit. */
const PULLED_SEGMENT_BYTES = 16 * 1024 * 1024;

export interface Published {
  readonly outcome: 'created' | 'identical';
  /** Bytes as stored (encoded). */
  readonly storedBytes: number;
}

/**
 * Typed access to artifacts over a byte store: encodes, publishes write-once, decodes within limits and
 * verifies. Identity is the hash of the canonical (decoded) bytes, so a name that already holds other
 * encoded bytes of the same content counts as identical.
 */
export class ArtifactRepository {
  private readonly pulled = new PulledSegments(PULLED_SEGMENT_BYTES);

  constructor(
    private readonly store: ArtifactStore,
    private readonly codec: Codec,
  ) {}

  async publish(origin: OriginId, ref: ArtifactRef, canonical: Uint8Array): Promise<Published> {
    const stored = isCompressed(ref.kind) ? await this.codec.compress(canonical) : canonical;
    const key = artifactKey(origin, ref);
    const outcome = await this.store.putIfAbsent(key, stored);
    if (outcome !== 'conflict') return { outcome, storedBytes: stored.length };
    let existing: Uint8Array | null = null;
    try {
      existing = await this.readCanonical(origin, ref);
    } catch {
      existing = null;
    }
    if (existing && sha256Hex(existing) === sha256Hex(canonical)) return { outcome: 'identical', storedBytes: stored.length };
    if (existing === null || !this.verifies(origin, ref, existing)) {
      // What holds the name is damaged (a partial write, bit rot), not a different artifact: replace it.
      await this.store.delete(key);
      const retry = await this.store.putIfAbsent(key, stored);
      if (retry !== 'conflict') return { outcome: 'created', storedBytes: stored.length };
    }
    throw new CairnError(
      'ARTIFACT_CONFLICT',
      `${key} already exists with different content (${existing ? sha256Hex(existing).slice(0, 12) : 'unreadable'} ` +
        `vs ${sha256Hex(canonical).slice(0, 12)}); nothing was overwritten: an origin id may be reused, run \`cairn verify\``,
    );
  }

  /** Whether canonical bytes are a valid artifact for their name (content-addressed kinds: the hash). */
  private verifies(origin: OriginId, ref: ArtifactRef, canonical: Uint8Array): boolean {
    if (ref.kind === 'checkpoint') {
      try {
        decodeCheckpoint(canonical, { origin, seq: ref.seq });
        return true;
      } catch (err) {
        return isCairnError(err, 'VERSION_UNSUPPORTED');
      }
    }
    return sha256Hex(canonical) === ref.hash;
  }

  /** The canonical bytes of an artifact, or null when absent. Decoding is bounded (no zstd bombs). */
  async readCanonical(origin: OriginId, ref: ArtifactRef): Promise<Uint8Array | null> {
    const raw = await this.store.get(artifactKey(origin, ref));
    if (raw === null) return null;
    if (!isCompressed(ref.kind)) {
      if (raw.length > maxDecodedBytes(ref.kind)) {
        throw new CairnError('DECOMPRESSED_TOO_LARGE', `${artifactKey(origin, ref)} is ${raw.length} bytes, over the limit for a ${ref.kind}`);
      }
      return raw;
    }
    return this.codec.decompress(raw, maxDecodedBytes(ref.kind));
  }

  /** The bytes as stored (encoded), for copying to a target. */
  readRaw(origin: OriginId, ref: ArtifactRef): Promise<Uint8Array | null> {
    return this.store.get(artifactKey(origin, ref));
  }

  /**
   * Store bytes fetched from elsewhere, as received, after the caller verified them. A damaged local copy
   * under the name is replaced; a valid different one is ARTIFACT_CONFLICT. With `keepForImport`, a
   * segment's canonical bytes are also held for the import that follows (see {@link PulledSegments}).
   */
  async storeRaw(origin: OriginId, ref: ArtifactRef, raw: Uint8Array, canonical: Uint8Array, keepForImport = false): Promise<'created' | 'identical'> {
    const outcome = await this.storeRawOnce(origin, ref, raw, canonical);
    if (keepForImport && ref.kind === 'segment') this.pulled.keep(artifactKey(origin, ref), canonical);
    return outcome;
  }

  /** Forget the segments kept for an import (the import is over: what it did not take, it did not need). */
  forgetPulled(): void {
    this.pulled.clear();
  }

  private async storeRawOnce(origin: OriginId, ref: ArtifactRef, raw: Uint8Array, canonical: Uint8Array): Promise<'created' | 'identical'> {
    const key = artifactKey(origin, ref);
    const outcome = await this.store.putIfAbsent(key, raw);
    if (outcome !== 'conflict') return outcome;
    let existing: Uint8Array | null = null;
    try {
      existing = await this.readCanonical(origin, ref);
    } catch {
      existing = null;
    }
    if (existing && sha256Hex(existing) === sha256Hex(canonical)) return 'identical';
    if (existing === null || !this.verifies(origin, ref, existing)) {
      await this.store.delete(key);
      if ((await this.store.putIfAbsent(key, raw)) !== 'conflict') return 'created';
    }
    throw new CairnError(
      'ARTIFACT_CONFLICT',
      `${key} differs here (${existing ? sha256Hex(existing).slice(0, 12) : 'unreadable'}) and there (${sha256Hex(canonical).slice(0, 12)}): ` +
        'two stores publish under one origin id (reused, or a store rebuilt from scratch); nothing was overwritten',
    );
  }

  /** Remove a local artifact that failed verification; returns its bytes for the quarantine. */
  async evict(origin: OriginId, ref: ArtifactRef): Promise<Uint8Array | null> {
    const key = artifactKey(origin, ref);
    this.pulled.drop(key);
    const raw = await this.store.get(key);
    await this.store.delete(key);
    return raw;
  }

  has(origin: OriginId, ref: ArtifactRef): Promise<boolean> {
    return this.store.has(artifactKey(origin, ref));
  }

  /**
   * A segment, verified (hash, header, every entry) and decoded: the bytes a sync just pulled when they are
   * held (verified the same way again here), otherwise the local copy.
   */
  async segment(origin: OriginId, expect: SegmentExpectation): Promise<DecodedSegment> {
    const ref = segmentRef(expect.hash);
    const bytes = this.pulled.take(artifactKey(origin, ref)) ?? (await this.require(origin, ref));
    return decodeSegment(bytes, expect);
  }

  /** The blobs a segment lists, from its header line only (the hash is checked; entries are not parsed). */
  async segmentBlobs(origin: OriginId, hash: ContentHash): Promise<BlobRef[]> {
    const bytes = await this.require(origin, segmentRef(hash));
    if (sha256Hex(bytes) !== hash) throw new CairnError('HASH_MISMATCH', `segment ${hash.slice(0, 12)} of ${origin} does not match its name`);
    return segmentHeaderBlobs(bytes, `segment ${hash.slice(0, 12)} of ${origin}`);
  }

  async manifest(origin: OriginId, hash: ContentHash): Promise<Manifest> {
    const bytes = await this.require(origin, manifestRef(hash));
    return decodeManifest(bytes, { hash, origin });
  }

  /** A checkpoint and the hash of its bytes, or null when absent. */
  async checkpoint(origin: OriginId, seq: number): Promise<{ checkpoint: Checkpoint; hash: ContentHash } | null> {
    const bytes = await this.readCanonical(origin, checkpointRef(seq));
    if (bytes === null) return null;
    return { checkpoint: decodeCheckpoint(bytes, { origin, seq }), hash: sha256Hex(bytes) };
  }

  /** Checkpoint seqs present for an origin, ascending. */
  async checkpointSeqs(origin: OriginId): Promise<number[]> {
    const keys = await this.store.list(`${origin}/checkpoints/`);
    const seqs: number[] = [];
    for (const key of keys) {
      const parsed = parseArtifactKey(key);
      if (parsed && parsed.origin === origin && parsed.ref.kind === 'checkpoint') seqs.push(parsed.ref.seq);
    }
    return seqs.sort((a, b) => a - b);
  }

  /** Keys under `<origin>/<dir>/`, after a key, at most `limit`. */
  list(prefix: string, after?: string, limit?: number): Promise<string[]> {
    return this.store.list(prefix, { after, limit });
  }

  async origins(): Promise<string[]> {
    return this.store.origins();
  }

  private async require(origin: OriginId, ref: ArtifactRef): Promise<Uint8Array> {
    const bytes = await this.readCanonical(origin, ref);
    if (bytes === null) {
      throw new CairnError('STORE_CORRUPT', `${artifactKey(origin, ref)} is missing from the store; run \`cairn verify\``);
    }
    return bytes;
  }
}

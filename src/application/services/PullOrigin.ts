import {
  artifactKey,
  blobRefPath,
  checkpointRef,
  isCairnError,
  isCompressed,
  maxDecodedBytes,
  manifestRef,
  parseArtifactKey,
  segmentRef,
  toIso,
  type ArtifactRef,
  type CheckpointState,
  type Manifest,
  type OriginId,
} from '../../domain';
import type { Clock } from '../ports/Clock';
import type { Codec } from '../ports/Codec';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';
import type { ArtifactRepository } from './ArtifactRepository';
import { isCorruption, verifyArtifact, type Expectation, type Verified } from './ArtifactVerifier';
import type { CheckpointReader } from './CheckpointReader';
import type { ExchangeCounts } from './SyncCounts';

const PAGE = 1000;

/**
 * Pull one origin's new artifacts from a target into the local store: the checkpoints after the one the
 * read model has applied, then the closure delta of the newest one (manifests that changed, their new
 * segments, those segments' blobs). Every artifact is verified before it is stored; a damaged one is
 * quarantined (never stored, never copied onward) and a missing one deferred to the next sync.
 */
export class PullOrigin {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly checkpoints: CheckpointReader,
    private readonly readModel: ReadModel,
    private readonly codec: Codec,
    private readonly quarantine: Quarantine,
    private readonly clock: Clock,
  ) {}

  async execute(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    const applied = this.readModel.originPosition(origin)?.seq ?? 0;
    const prefix = `${origin}/checkpoints/`;
    let after = applied > 0 ? artifactKey(origin, checkpointRef(applied)) : undefined;
    for (;;) {
      const keys = await target.list(prefix, { after, limit: PAGE });
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'checkpoint' || parsed.origin !== origin) continue;
        await this.fetch(target, origin, parsed.ref, {}, counts, true);
      }
      if (keys.length < PAGE) break;
      after = keys[keys.length - 1];
    }
    // The newest checkpoint whose closure can be completed wins; when a piece of it is damaged or missing,
    // fall back to older ones, so one bad artifact never holds back what is already whole.
    const from = applied > 0 ? await this.checkpoints.at(origin, applied).catch(() => null) : null;
    const seqs = (await this.artifacts.checkpointSeqs(origin)).filter((s) => s > applied).reverse();
    for (const seq of seqs) {
      let state: CheckpointState;
      try {
        state = await this.checkpoints.at(origin, seq);
      } catch (err) {
        if (!isCairnError(err)) throw err;
        continue;
      }
      const before = counts.deferred + counts.quarantined;
      await this.fetchClosureDelta(target, origin, from, state, counts);
      if (counts.deferred + counts.quarantined === before) return;
    }
  }

  private async fetchClosureDelta(target: Transport, origin: OriginId, from: CheckpointState | null, to: CheckpointState, counts: ExchangeCounts): Promise<void> {
    for (const [stream, hash] of to.streams) {
      const old = from?.streams.get(stream);
      if (old === hash) continue;
      const manifest = await this.manifest(target, origin, hash, counts);
      if (!manifest) continue;
      let known = new Set<string>();
      if (old) {
        try {
          known = new Set((await this.artifacts.manifest(origin, old)).segments.map((s) => s.hash));
        } catch {
          known = new Set();
        }
      }
      for (const seg of manifest.segments) {
        if (known.has(seg.hash)) continue;
        const expect: Expectation = { stream, from: seg.from, to: seg.to, bytes: seg.bytes };
        const verified = await this.fetch(target, origin, segmentRef(seg.hash), expect, counts, false);
        const segment = verified?.kind === 'segment' ? verified.segment : await this.localSegment(origin, seg.hash, expect);
        for (const blob of segment?.header.blobs ?? []) {
          await this.fetch(target, origin, blobRefPath(blob.hash), { bytes: blob.size }, counts, false);
        }
      }
    }
  }

  private async manifest(target: Transport, origin: OriginId, hash: Manifest['segments'][number]['hash'], counts: ExchangeCounts): Promise<Manifest | null> {
    const verified = await this.fetch(target, origin, manifestRef(hash), {}, counts, false);
    if (verified?.kind === 'manifest') return verified.manifest;
    try {
      return (await this.artifacts.has(origin, manifestRef(hash))) ? await this.artifacts.manifest(origin, hash) : null;
    } catch {
      return null;
    }
  }

  private async localSegment(origin: OriginId, hash: Manifest['segments'][number]['hash'], expect: Expectation) {
    try {
      return (await this.artifacts.has(origin, segmentRef(hash))) ? await this.artifacts.segment(origin, { hash, origin, ...expect }) : null;
    } catch {
      return null;
    }
  }

  /**
   * Fetch, verify and store one artifact unless it is already here (checkpoints are compared even then: the
   * same name with other content is a fork). Returns what was verified, or null when nothing new was stored.
   */
  private async fetch(target: Transport, origin: OriginId, ref: ArtifactRef, expect: Expectation, counts: ExchangeCounts, compareExisting: boolean): Promise<Verified | null> {
    const present = await this.artifacts.has(origin, ref);
    if (present && !compareExisting) return null;
    const key = artifactKey(origin, ref);
    const raw = await target.get(key);
    if (raw === null) {
      if (!present) counts.deferred++;
      return null;
    }
    let verified: Verified;
    try {
      verified = await verifyArtifact(this.codec, origin, ref, raw, expect);
    } catch (err) {
      if (isCairnError(err, 'VERSION_UNSUPPORTED')) {
        // A newer format: stored and relayed as received, imported after an upgrade.
        const canonical = isCompressed(ref.kind) ? await this.codec.decompress(raw, maxDecodedBytes(ref.kind)) : raw;
        if ((await this.artifacts.storeRaw(origin, ref, raw, canonical)) === 'created') counts.pulled++;
        return null;
      }
      if (!isCorruption(err)) throw err;
      const e = err as { code: string; message: string };
      await this.quarantine.put({ source: target.url, key, code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
      counts.quarantined++;
      return null;
    }
    const outcome = await this.artifacts.storeRaw(origin, ref, raw, verified.canonical);
    if (outcome === 'created') {
      counts.pulled++;
      counts.bytesPulled += raw.length;
    }
    return verified;
  }
}

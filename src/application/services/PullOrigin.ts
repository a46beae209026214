import {
  artifactKey,
  CairnError,
  isStopError,
  sha256Hex,
  type Checkpoint,
  type ContentHash,
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
  type BlobRef,
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
import type { HistoryGuard } from './HistoryGuard';
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
    private readonly guard: HistoryGuard,
  ) {}

  async execute(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    const applied = this.readModel.originPosition(origin)?.seq ?? 0;
    await this.pullCheckpoints(target, origin, applied, counts);
    const seqs = (await this.artifacts.checkpointSeqs(origin)).filter((s) => s > applied).reverse();
    if (seqs.length === 0) return; // nothing new: a no-op sync stops here
    // The newest checkpoint whose closure can be completed wins; when a piece of it is damaged or missing,
    // fall back to older ones, so one bad artifact never holds back what is already whole.
    const from = applied > 0 ? await this.checkpoints.at(origin, applied).catch(() => null) : null;
    for (const seq of seqs) {
      let state: CheckpointState;
      try {
        state = await this.checkpoints.at(origin, seq);
      } catch (err) {
        if (isStopError(err)) throw err;
        if (!isCairnError(err)) throw err;
        continue;
      }
      const before = counts.deferred + counts.quarantined;
      try {
        this.guard.checkStreams(origin, state);
        await this.fetchClosureDelta(target, origin, from, state, counts);
      } catch (err) {
        if (!isCairnError(err, 'ARTIFACT_CONFLICT')) throw err;
        continue; // not our history (the import reports it): look for an older checkpoint that is
      }
      if (counts.deferred + counts.quarantined === before) {
        await this.fetchIntermediateManifests(target, origin, applied, state.seq, counts);
        return;
      }
    }
  }

  /**
   * The manifests named by the checkpoints between the applied one and the one just completed: not needed to
   * import (the newer manifest supersedes them, and their segments are its prefix), but needed to relay
   * those checkpoints whole to another target. Missing ones are not waited for.
   */
  private async fetchIntermediateManifests(target: Transport, origin: OriginId, applied: number, newest: number, counts: ExchangeCounts): Promise<void> {
    const held = new Set(await this.artifacts.checkpointSeqs(origin));
    for (let seq = applied + 1; seq < newest; seq++) {
      if (!held.has(seq)) continue;
      const cp = await this.artifacts.checkpoint(origin, seq).catch(() => null);
      for (const hash of Object.values(cp?.checkpoint.streams ?? {})) {
        const deferred = counts.deferred;
        await this.fetch(target, origin, manifestRef(hash), {}, counts);
        counts.deferred = deferred;
      }
    }
  }

  /**
   * Fetch the checkpoints after the applied one, verify each, and check that they continue this store's
   * history: wherever the checkpoint before one is known (fetched now or held here), its hash must be the
   * `prev` the next one names. A checkpoint that does not is another store under the same origin id: the
   * sync for this origin stops with both hashes named, and none of that target's checkpoints are stored.
   */
  private async pullCheckpoints(target: Transport, origin: OriginId, applied: number, counts: ExchangeCounts): Promise<void> {
    const fetched = new Map<number, { raw: Uint8Array; canonical: Uint8Array; checkpoint: Checkpoint; hash: ContentHash }>();
    let after = applied > 0 ? artifactKey(origin, checkpointRef(applied)) : undefined;
    for (;;) {
      const keys = await target.list(`${origin}/checkpoints/`, { after, limit: PAGE });
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'checkpoint' || parsed.origin !== origin) continue;
        const raw = await this.getOrQuarantine(target, key, counts);
        if (!raw) continue;
        try {
          const verified = await verifyArtifact(this.codec, origin, parsed.ref, raw);
          if (verified.kind !== 'checkpoint') continue;
          fetched.set(parsed.ref.seq, { raw, canonical: verified.canonical, checkpoint: verified.checkpoint, hash: sha256Hex(verified.canonical) });
        } catch (err) {
          if (isCairnError(err, 'VERSION_UNSUPPORTED')) {
            if ((await this.artifacts.storeRaw(origin, parsed.ref, raw, raw)) === 'created') counts.pulled++;
            continue;
          }
          if (!isCorruption(err)) throw err;
          await this.quarantineBytes(target, key, err, raw, counts);
        }
      }
      if (keys.length < PAGE) break;
      after = keys[keys.length - 1];
    }
    const hashAt = async (seq: number): Promise<ContentHash | null> => {
      const known = fetched.get(seq);
      if (known) return known.hash;
      try {
        return (await this.artifacts.checkpoint(origin, seq))?.hash ?? null;
      } catch {
        return null;
      }
    };
    for (const [seq, cp] of fetched) {
      const ours = await this.artifacts.checkpoint(origin, seq).catch(() => null);
      const prevHere = seq > 1 ? await hashAt(seq - 1) : null;
      if ((ours && ours.hash !== cp.hash) || (prevHere && cp.checkpoint.prev !== prevHere)) {
        const [what, here] = ours && ours.hash !== cp.hash ? [`checkpoint ${seq}`, ours.hash] : [`checkpoint ${seq - 1}`, prevHere!];
        const there = ours && ours.hash !== cp.hash ? cp.hash : cp.checkpoint.prev!;
        throw new CairnError(
          'ARTIFACT_CONFLICT',
          `${what} of ${origin} is ${here.slice(0, 12)} here but ${there.slice(0, 12)} at ${target.url}: two stores publish ` +
            'under one origin id (reused, or a store rebuilt from scratch); nothing was stored or overwritten',
        );
      }
    }
    for (const [seq, cp] of [...fetched].sort((x, y) => x[0] - y[0])) {
      if ((await this.artifacts.storeRaw(origin, checkpointRef(seq), cp.raw, cp.canonical)) === 'created') {
        counts.pulled++;
        counts.bytesPulled += cp.raw.length;
      }
    }
  }

  private async getOrQuarantine(target: Transport, key: string, counts: ExchangeCounts): Promise<Uint8Array | null> {
    try {
      return await target.get(key);
    } catch (err) {
      if (!isCorruption(err)) throw err;
      await this.quarantineBytes(target, key, err, null, counts);
      return null;
    }
  }

  private async quarantineBytes(target: Transport, key: string, err: unknown, raw: Uint8Array | null, counts: ExchangeCounts): Promise<void> {
    const e = err as { code: string; message: string };
    await this.quarantine.put({ source: target.url, key, code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
    counts.quarantined++;
  }

  private async fetchClosureDelta(target: Transport, origin: OriginId, from: CheckpointState | null, to: CheckpointState, counts: ExchangeCounts): Promise<void> {
    for (const [stream, hash] of to.streams) {
      const old = from?.streams.get(stream);
      if (old === hash) continue;
      const manifest = await this.manifest(target, origin, hash, counts);
      if (!manifest) continue;
      await this.guard.checkManifest(origin, to.seq, stream, manifest);
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
        const verified = await this.fetch(target, origin, segmentRef(seg.hash), expect, counts);
        const blobs = verified?.kind === 'segment' ? verified.header.blobs : await this.localSegmentBlobs(origin, seg.hash);
        for (const blob of blobs) {
          await this.fetch(target, origin, blobRefPath(blob.hash), { bytes: blob.size }, counts);
        }
      }
    }
  }

  private async manifest(target: Transport, origin: OriginId, hash: Manifest['segments'][number]['hash'], counts: ExchangeCounts): Promise<Manifest | null> {
    const verified = await this.fetch(target, origin, manifestRef(hash), {}, counts);
    if (verified?.kind === 'manifest') return verified.manifest;
    try {
      return (await this.artifacts.has(origin, manifestRef(hash))) ? await this.artifacts.manifest(origin, hash) : null;
    } catch {
      return null;
    }
  }

  private async localSegmentBlobs(origin: OriginId, hash: Manifest['segments'][number]['hash']): Promise<readonly BlobRef[]> {
    try {
      return (await this.artifacts.has(origin, segmentRef(hash))) ? await this.artifacts.segmentBlobs(origin, hash) : [];
    } catch {
      return [];
    }
  }

  /** Fetch, verify and store one artifact unless it is already here. Returns what was verified, or null. */
  private async fetch(target: Transport, origin: OriginId, ref: ArtifactRef, expect: Expectation, counts: ExchangeCounts): Promise<Verified | null> {
    if (await this.artifacts.has(origin, ref)) return null;
    const key = artifactKey(origin, ref);
    const raw = await this.getOrQuarantine(target, key, counts);
    if (raw === null) {
      counts.deferred++;
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
      await this.quarantineBytes(target, key, err, raw, counts);
      return null;
    }
    const outcome = await this.artifacts.storeRaw(origin, ref, raw, verified.canonical, true);
    if (outcome === 'created') {
      counts.pulled++;
      counts.bytesPulled += raw.length;
    }
    return verified;
  }
}

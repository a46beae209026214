import {
  artifactKey,
  blobRefPath,
  globalId,
  isStopError,
  isCairnError,
  manifestRef,
  segmentRef,
  toIso,
  type CheckpointState,
  type ContentHash,
  type Manifest,
  type OriginId,
  type StreamId,
} from '../../domain';
import type { EventBus } from '../EventBus';
import type { Clock } from '../ports/Clock';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from './ArtifactRepository';
import { isCorruption } from './ArtifactVerifier';
import type { CheckpointReader } from './CheckpointReader';
import type { HistoryGuard } from './HistoryGuard';

export interface ImportCounts {
  readonly streams: Set<string>;
  entries: number;
  events: number;
  deferred: number;
  quarantined: number;
  /** Checkpoints refused because they do not continue what was imported (forks), per origin. */
  readonly forks: { origin: string; code: string; message: string }[];
}

export function emptyCounts(): ImportCounts {
  return { streams: new Set(), entries: 0, events: 0, deferred: 0, quarantined: 0, forks: [] };
}

interface StreamPlan {
  readonly stream: StreamId;
  readonly hash: ContentHash;
  readonly manifest: Manifest;
  readonly have: number;
}

/** Thrown inside a stream's transaction when a piece turns out missing or damaged: roll back, defer. */
class Deferred extends Error {}

/**
 * Imports an origin from the local store into the read model: the newest checkpoint whose whole closure is
 * present and valid (older ones are tried when the newest is incomplete), only the streams whose manifest
 * the read model has not applied, only the segments beyond what it holds. Each stream is applied in one
 * SQLite transaction; the origin's position moves last, so it never runs ahead of what is applied.
 */
export class OriginImporter {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly checkpoints: CheckpointReader,
    private readonly readModel: ReadModel,
    private readonly bus: EventBus,
    private readonly quarantine: Quarantine,
    private readonly clock: Clock,
    private readonly guard: HistoryGuard,
  ) {}

  async importOrigin(origin: OriginId, counts: ImportCounts): Promise<'applied' | 'current' | 'deferred'> {
    const applied = this.readModel.originPosition(origin);
    const seqs = await this.artifacts.checkpointSeqs(origin);
    const candidates = seqs.filter((s) => s > (applied?.seq ?? 0)).reverse();
    if (candidates.length === 0) return 'current';
    for (const seq of candidates) {
      let state: CheckpointState;
      try {
        state = await this.checkpoints.at(origin, seq);
      } catch (err) {
        if (isStopError(err)) throw err;
        if (isCairnError(err)) continue; // a broken chain or a future version: try an older checkpoint
        throw err;
      }
      let plan: StreamPlan[] | null;
      try {
        plan = await this.plan(origin, state, counts);
      } catch (err) {
        if (!isCairnError(err, 'ARTIFACT_CONFLICT')) throw err;
        // Report the fork, and still apply an older checkpoint that does continue our history.
        if (!counts.forks.some((f) => f.origin === origin)) counts.forks.push({ origin, code: err.code, message: err.message });
        continue;
      }
      if (!plan) continue;
      if (!(await this.apply(origin, state, plan, counts))) break;
      return 'applied';
    }
    counts.deferred++;
    return 'deferred';
  }

  /**
   * What to apply for a checkpoint, or null when a piece of its closure is missing or damaged. Throws
   * ARTIFACT_CONFLICT when the checkpoint does not continue what was applied (a stream vanished, or a
   * manifest does not start with the segments applied before): segments are never rewritten, so that is
   * another store under the same origin id, and it is never merged.
   */
  private async plan(origin: OriginId, state: CheckpointState, counts: ImportCounts): Promise<StreamPlan[] | null> {
    const plan: StreamPlan[] = [];
    this.guard.checkStreams(origin, state);
    for (const [stream, hash] of state.streams) {
      const position = this.readModel.streamPosition(globalId(origin, stream));
      if (position?.manifest === hash) continue;
      if (!(await this.artifacts.has(origin, manifestRef(hash)))) return null;
      let manifest: Manifest;
      try {
        manifest = await this.artifacts.manifest(origin, hash);
      } catch (err) {
        if (isStopError(err)) throw err;
        if (isCorruption(err)) await this.evict(origin, manifestRef(hash), err, counts);
        if (isCairnError(err)) return null;
        throw err;
      }
      await this.guard.checkManifest(origin, state.seq, stream, manifest);
      const have = position?.entries ?? 0;
      for (const seg of manifest.segments) {
        if (seg.to > have && !(await this.artifacts.has(origin, segmentRef(seg.hash)))) return null;
      }
      plan.push({ stream, hash, manifest, have });
    }
    return plan;
  }

  private async apply(origin: OriginId, state: CheckpointState, plan: readonly StreamPlan[], counts: ImportCounts): Promise<boolean> {
    for (const item of plan) {
      const gid = globalId(origin, item.stream);
      try {
        await this.readModel.transaction(async () => {
          for (const seg of item.manifest.segments) {
            if (seg.to <= item.have) continue;
            const ref = segmentRef(seg.hash);
            let decoded;
            try {
              decoded = await this.artifacts.segment(origin, { hash: seg.hash, origin, stream: item.stream, from: seg.from, to: seg.to });
            } catch (err) {
              if (isStopError(err)) throw err;
              if (isCorruption(err)) await this.evict(origin, ref, err, counts);
              if (isCairnError(err)) throw new Deferred();
              throw err;
            }
            for (const blob of decoded.header.blobs) {
              if (!(await this.artifacts.has(origin, blobRefPath(blob.hash)))) throw new Deferred();
            }
            this.bus.publish({
              type: 'SegmentAccepted',
              origin,
              stream: item.stream,
              gid,
              hash: seg.hash,
              header: item.manifest.header,
              entries: decoded.entries,
              texts: decoded.texts,
              searchTexts: decoded.searchTexts,
            });
            counts.entries += decoded.entries.length - Math.max(0, item.have - seg.from);
            counts.events++;
          }
          this.bus.publish({ type: 'ManifestAccepted', origin, stream: item.stream, gid, hash: item.hash, manifest: item.manifest });
          counts.events++;
        });
      } catch (err) {
        if (err instanceof Deferred) return false;
        throw err;
      }
      counts.streams.add(gid);
    }
    const link = await this.artifacts.checkpoint(origin, state.seq);
    if (link) {
      this.bus.publish({ type: 'CheckpointAccepted', origin, hash: link.hash, checkpoint: link.checkpoint });
      counts.events++;
    }
    return true;
  }

  /** A local artifact failed verification: move it to the quarantine; a later fetch heals it. */
  private async evict(origin: OriginId, ref: Parameters<ArtifactRepository['evict']>[1], err: unknown, counts: ImportCounts): Promise<void> {
    const bytes = await this.artifacts.evict(origin, ref);
    const e = err as { code?: string; message?: string };
    await this.quarantine.put(
      { source: 'local', key: artifactKey(origin, ref), code: e.code ?? 'INTERNAL', reason: e.message ?? String(err), at: toIso(this.clock.now()) },
      bytes,
    );
    counts.quarantined++;
  }
}

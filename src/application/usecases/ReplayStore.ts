import { globalId, isOriginId, type OriginId, type StreamId } from '../../domain';
import type { EventBus } from '../EventBus';
import type { Journal } from '../ports/Journal';
import type { ProgressSink } from '../ports/Progress';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { CheckpointReader } from '../services/CheckpointReader';
import type { LocalStreams } from '../services/LocalStreams';

export interface ReplayResult {
  readonly streams: number;
  readonly entries: number;
  readonly events: number;
  /** Origins that could not be replayed (their artifacts are deferred, not fatal). */
  readonly failures: readonly { origin: string; code: string; message: string }[];
}

interface Counts {
  streams: Set<string>;
  entries: number;
  events: number;
  failures: { origin: string; code: string; message: string }[];
}

/**
 * Bring the read model up to the store by replaying what it has not applied yet: for each origin, the
 * streams of its newest checkpoint whose manifest the read model has not seen (only the missing segments),
 * then this origin's journal. Projections are idempotent, so replaying from zero into an empty database
 * (`rebuild`) and catching up on open are the same code path.
 */
export class ReplayStore {
  constructor(
    private readonly origin: OriginId,
    private readonly artifacts: ArtifactRepository,
    private readonly checkpoints: CheckpointReader,
    private readonly journal: Journal,
    private readonly streams: LocalStreams,
    private readonly readModel: ReadModel,
    private readonly bus: EventBus,
  ) {}

  async execute(onProgress?: ProgressSink): Promise<ReplayResult> {
    const counts: Counts = { streams: new Set(), entries: 0, events: 0, failures: [] };
    for (const name of await this.artifacts.origins()) {
      if (!isOriginId(name)) continue;
      if (name === this.origin) {
        await this.replayOrigin(name, counts, onProgress);
        continue;
      }
      // Another origin's damaged or future-version artifacts must never block this origin's work.
      try {
        await this.replayOrigin(name, counts, onProgress);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        counts.failures.push({ origin: name, code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
      }
    }
    for (const stream of await this.journal.streams()) await this.replayJournal(stream, counts);
    return { streams: counts.streams.size, entries: counts.entries, events: counts.events, failures: counts.failures };
  }

  private async replayOrigin(origin: OriginId, counts: Counts, onProgress?: ProgressSink): Promise<void> {
    const state = await this.checkpoints.latest(origin);
    if (!state) return;
    const applied = this.readModel.originPosition(origin);
    if (applied?.hash === state.hash) return;
    let done = 0;
    for (const [stream, manifestHash] of state.streams) {
      const gid = globalId(origin, stream);
      const position = this.readModel.streamPosition(gid);
      onProgress?.({ phase: `replay ${origin}`, done: done++, total: state.streams.size });
      if (position?.manifest === manifestHash) continue;
      const manifest = await this.artifacts.manifest(origin, manifestHash);
      const have = position?.entries ?? 0;
      for (const seg of manifest.segments) {
        if (seg.to <= have) continue;
        const decoded = await this.artifacts.segment(origin, { hash: seg.hash, origin, stream, from: seg.from, to: seg.to });
        this.bus.publish({ type: 'SegmentAccepted', origin, stream, gid, hash: seg.hash, header: manifest.header, entries: decoded.entries });
        counts.entries += decoded.entries.length;
        counts.events++;
      }
      this.bus.publish({ type: 'ManifestAccepted', origin, stream, gid, hash: manifestHash, manifest });
      counts.streams.add(gid);
      counts.events++;
    }
    const link = await this.artifacts.checkpoint(origin, state.seq);
    if (link) {
      this.bus.publish({ type: 'CheckpointAccepted', origin, hash: link.hash, checkpoint: link.checkpoint });
      counts.events++;
    }
  }

  private async replayJournal(stream: StreamId, counts: Counts): Promise<void> {
    const state = await this.streams.load(stream);
    if (state.pending.length === 0 || !state.header) return;
    const gid = globalId(this.origin, stream);
    const have = this.readModel.streamPosition(gid)?.entries ?? 0;
    const entries = state.pending.filter((e) => e.ordinal >= have);
    if (entries.length === 0) return;
    this.bus.publish({ type: 'EntriesAppended', origin: this.origin, stream, gid, header: state.header, entries });
    counts.streams.add(gid);
    counts.entries += entries.length;
    counts.events++;
  }
}

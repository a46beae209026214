import { globalId, isOriginId, isStopError, type OriginId, type StreamId } from '../../domain';
import type { EventBus } from '../EventBus';
import type { Journal } from '../ports/Journal';
import type { ProgressSink } from '../ports/Progress';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { LocalStreams } from '../services/LocalStreams';
import type { MetaImporter } from '../services/MetaImporter';
import { emptyCounts, type ImportCounts, type OriginImporter } from '../services/OriginImporter';

export interface ReplayResult {
  readonly streams: number;
  readonly entries: number;
  readonly events: number;
  /** Origins whose newest checkpoint could not be applied yet (a piece missing or damaged). */
  readonly deferred: number;
  readonly quarantined: number;
  /** Origins that failed outright (their artifacts are skipped, never fatal for this origin). */
  readonly failures: readonly { origin: string; code: string; message: string }[];
}

/**
 * Bring the read model up to the store: import every origin (the newest complete checkpoint, only what the
 * read model lacks), then this origin's journal. Projections are idempotent, so replaying into an empty
 * database (`rebuild`) and catching up on open are the same code path.
 */
export class ReplayStore {
  constructor(
    private readonly origin: OriginId,
    private readonly artifacts: ArtifactRepository,
    private readonly importer: OriginImporter,
    private readonly journal: Journal,
    private readonly streams: LocalStreams,
    private readonly readModel: ReadModel,
    private readonly bus: EventBus,
    private readonly meta: MetaImporter,
  ) {}

  async execute(onProgress?: ProgressSink, counts: ImportCounts = emptyCounts()): Promise<ReplayResult> {
    const failures: { origin: string; code: string; message: string }[] = [];
    const origins = (await this.artifacts.origins()).filter(isOriginId);
    let done = 0;
    for (const origin of origins) {
      onProgress?.({ phase: 'import', done: done++, total: origins.length });
      if (origin === this.origin) {
        await this.importer.importOrigin(origin, counts);
        continue;
      }
      // Another origin's damaged or future-version artifacts must never block this origin's work.
      try {
        await this.importer.importOrigin(origin, counts);
      } catch (err) {
        if (isStopError(err)) throw err;
        const e = err as { code?: string; message?: string };
        failures.push({ origin, code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
      }
    }
    for (const stream of await this.journal.streams()) await this.replayJournal(stream, counts);
    // Metadata after all content, so that its targets are here.
    for (const origin of origins) {
      try {
        await this.meta.importOrigin(origin, counts);
      } catch (err) {
        if (isStopError(err)) throw err;
        if (origin === this.origin) throw err;
        const e = err as { code?: string; message?: string };
        failures.push({ origin, code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
      }
    }
    counts.events += this.readModel.reapplyUnknownMeta();
    return {
      streams: counts.streams.size,
      entries: counts.entries,
      events: counts.events,
      deferred: counts.deferred,
      quarantined: counts.quarantined,
      failures: [...failures, ...counts.forks],
    };
  }

  private async replayJournal(stream: StreamId, counts: ImportCounts): Promise<void> {
    const state = await this.streams.pending(stream);
    if (state.pending.length === 0 || !state.header) return;
    const gid = globalId(this.origin, stream);
    const have = this.readModel.streamPosition(gid)?.entries ?? 0;
    // Pending ordinals run densely from `sealed`: skip what the read model has.
    const skip = Math.max(0, have - state.sealed);
    const entries = state.pending.slice(skip);
    if (entries.length === 0) return;
    const texts = entries.map((_, i) => state.texts.text(skip + i));
    this.bus.publish({ type: 'EntriesAppended', origin: this.origin, stream, gid, header: state.header, entries, texts });
    counts.streams.add(gid);
    counts.entries += entries.length;
    counts.events++;
  }
}

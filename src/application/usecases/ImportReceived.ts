import { isOriginId, type OriginId } from '../../domain';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { MetaImporter } from '../services/MetaImporter';
import { emptyCounts, type OriginImporter } from '../services/OriginImporter';

export interface ImportReport {
  readonly streams: number;
  readonly entries: number;
  readonly events: number;
  /** Pieces missing (not arrived yet): imported by a later run. */
  readonly deferred: number;
  readonly quarantined: number;
  /** Conflict-log entries this import added. */
  readonly conflicts: number;
  /** Origins whose import stopped (damaged chain, a fork); the others were imported. */
  readonly failures: readonly { origin: string; code: string; message: string }[];
}

/**
 * Import what other peers delivered into the local store (an HTTP peer's puts): every other origin's newest
 * complete checkpoint, then metadata once the content of all origins is in, exactly as the import step of a
 * sync. One origin's failure never stops the others. The caller serialises it with other mutations.
 */
export class ImportReceived {
  constructor(
    private readonly origin: OriginId,
    private readonly artifacts: ArtifactRepository,
    private readonly importer: OriginImporter,
    private readonly metaImporter: MetaImporter,
    private readonly readModel: ReadModel,
  ) {}

  async execute(): Promise<ImportReport> {
    const counts = emptyCounts();
    const failures: { origin: string; code: string; message: string }[] = [];
    const failed = new Set<string>();
    const origins = (await this.artifacts.origins()).filter((o): o is OriginId => isOriginId(o) && o !== this.origin);
    const conflictsBefore = this.readModel.conflicts().length;
    const guard = async (origin: OriginId, work: () => Promise<unknown>): Promise<void> => {
      if (failed.has(origin)) return;
      try {
        await work();
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (!e.code || e.code === 'INTERNAL') throw err;
        failed.add(origin);
        failures.push({ origin, code: e.code, message: e.message ?? String(err) });
      }
    };
    for (const origin of origins) await guard(origin, () => this.importer.importOrigin(origin, counts));
    for (const origin of origins) await guard(origin, () => this.metaImporter.importOrigin(origin, counts));
    failures.push(...counts.forks.filter((f) => !failed.has(f.origin)));
    return {
      streams: counts.streams.size,
      entries: counts.entries,
      events: counts.events,
      deferred: counts.deferred,
      quarantined: counts.quarantined,
      conflicts: this.readModel.conflicts().length - conflictsBefore,
      failures,
    };
  }
}

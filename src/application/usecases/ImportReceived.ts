import { isOriginId, type OriginId } from '../../domain';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { MetaImporter } from '../services/MetaImporter';
import { OriginGuard } from '../services/OriginGuard';
import { emptyCounts, type ImportCounts, type OriginImporter } from '../services/OriginImporter';

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
    const guard = new OriginGuard();
    const origins = await this.otherOrigins();
    const conflictsBefore = this.readModel.conflicts().length;
    await this.importContent(origins, counts, guard);
    await this.importMeta(origins, counts, guard);
    return {
      streams: counts.streams.size,
      entries: counts.entries,
      events: counts.events,
      deferred: counts.deferred,
      quarantined: counts.quarantined,
      conflicts: this.readModel.conflicts().length - conflictsBefore,
      failures: guard.failures,
    };
  }

  /** Every origin in the local store but this one. */
  async otherOrigins(): Promise<OriginId[]> {
    return (await this.artifacts.origins()).filter((o): o is OriginId => isOriginId(o) && o !== this.origin);
  }

  /** Each origin's newest complete checkpoint (the import step of a sync, too). */
  async importContent(origins: readonly OriginId[], counts: ImportCounts, guard: OriginGuard): Promise<void> {
    try {
      for (const origin of origins) await guard.run(origin, () => this.importer.importOrigin(origin, counts));
    } finally {
      this.artifacts.forgetPulled(); // what a sync pulled and this import did not take, it does not need
    }
  }

  /** Metadata, once the content of every origin is in, so that its targets are here; then the forks found. */
  async importMeta(origins: readonly OriginId[], counts: ImportCounts, guard: OriginGuard): Promise<void> {
    for (const origin of origins) await guard.run(origin, () => this.metaImporter.importOrigin(origin, counts));
    guard.addForks(counts.forks);
  }
}

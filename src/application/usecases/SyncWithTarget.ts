import { isOriginId, type OriginId } from '../../domain';
import type { ProgressSink } from '../ports/Progress';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { MetaExchange } from '../services/MetaExchange';
import type { MetaPacks } from '../services/MetaPacks';
import { emptyCounts } from '../services/OriginImporter';
import type { PullOrigin } from '../services/PullOrigin';
import type { PushOrigin } from '../services/PushOrigin';
import { OriginGuard } from '../services/OriginGuard';
import { emptyExchange } from '../services/SyncCounts';
import type { ExportResult, ExportStore } from './ExportStore';
import type { ImportReceived } from './ImportReceived';

export interface SyncResult {
  readonly target: string;
  readonly exported: ExportResult;
  /** Artifacts written to the target / to the local store. */
  readonly pushed: number;
  readonly pulled: number;
  readonly bytes: { readonly pushed: number; readonly pulled: number };
  readonly imported: { readonly streams: number; readonly entries: number; readonly events: number };
  /** Pieces missing (not arrived yet): retried by the next sync. */
  readonly deferred: number;
  /** Pieces that failed verification: kept aside, never imported or copied onward. */
  readonly quarantined: number;
  /** Conflict-log entries this sync added. */
  readonly conflicts: number;
  /** Origins whose exchange stopped (for example two different artifacts under one name). */
  readonly failures: readonly { origin: string; code: string; message: string }[];
}

/**
 * export → pull → import → push. Pull and import come before push so that what this sync imports from one
 * target is relayed in the same run. The caller holds the store's lock for the whole operation (see the
 * lock port); every step is idempotent, so a sync killed at any point and run again ends where an
 * uninterrupted one would.
 */
export class SyncWithTarget {
  constructor(
    private readonly origin: OriginId,
    private readonly exportStore: ExportStore,
    private readonly pull: PullOrigin,
    private readonly push: PushOrigin,
    private readonly artifacts: ArtifactRepository,
    private readonly readModel: ReadModel,
    private readonly meta: MetaExchange,
    private readonly imports: ImportReceived,
    private readonly packs: MetaPacks,
  ) {}

  async execute(target: Transport, onProgress?: ProgressSink): Promise<SyncResult> {
    const exported = await this.exportStore.execute(onProgress);
    await this.packs.packOwn(this.origin); // before push, so a new replica gets our ledger in a few packs
    const exchange = emptyExchange();
    const guard = new OriginGuard(exchange.failures);

    const remote = (await target.origins()).filter((o): o is OriginId => isOriginId(o) && o !== this.origin);
    let done = 0;
    for (const origin of remote) {
      onProgress?.({ phase: 'pull', done: done++, total: remote.length });
      await guard.run(origin, async () => {
        await this.pull.execute(target, origin, exchange);
        await this.meta.pull(target, origin, exchange);
      });
    }

    const counts = emptyCounts();
    const local = (await this.artifacts.origins()).filter((o): o is OriginId => isOriginId(o));
    const others = local.filter((o) => o !== this.origin);
    await this.imports.importContent(others, counts, guard);
    const conflictsBefore = this.readModel.conflicts().length; // metadata conflicts this sync adds
    await this.imports.importMeta(others, counts, guard);

    done = 0;
    for (const origin of local) {
      onProgress?.({ phase: 'push', done: done++, total: local.length });
      const limit = origin === this.origin ? exported.checkpoint ?? (await this.newestOwn()) : this.readModel.originPosition(origin)?.seq ?? 0;
      await guard.run(origin, async () => {
        await this.push.execute(target, origin, limit, exchange);
        await this.meta.push(target, origin, exchange);
      });
    }

    // A peer that imports what it receives (HTTP serve) imports now, once everything is pushed.
    if (target.finish) await target.finish();

    return {
      target: target.url,
      exported,
      pushed: exchange.pushed,
      pulled: exchange.pulled,
      bytes: { pushed: exchange.bytesPushed, pulled: exchange.bytesPulled },
      imported: { streams: counts.streams.size, entries: counts.entries, events: counts.events },
      deferred: exchange.deferred + counts.deferred,
      quarantined: exchange.quarantined + counts.quarantined,
      conflicts: this.readModel.conflicts().length - conflictsBefore,
      failures: exchange.failures,
    };
  }

  private async newestOwn(): Promise<number> {
    return (await this.artifacts.checkpointSeqs(this.origin)).at(-1) ?? 0;
  }
}

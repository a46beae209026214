import { artifactKey, decodeMetaEvent, isCairnError, parseArtifactKey, parseMetaStem, toIso, type ContentHash, type MetaEvent, type OriginId } from '../../domain';
import type { EventBus } from '../EventBus';
import type { Clock } from '../ports/Clock';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from './ArtifactRepository';
import { isCorruption } from './ArtifactVerifier';
import type { HlcClock } from './HlcClock';
import type { MetaPacks } from './MetaPacks';
import type { ImportCounts } from './OriginImporter';

const PAGE = 1000;

/**
 * Applies an origin's metadata events from the local store: the events after the newest one applied (names
 * sort by HLC), each verified, then published for the register and conflict-log projection. Cost follows the
 * new events. Damaged events are quarantined and never win; events of a newer format are kept for later.
 */
export class MetaImporter {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly readModel: ReadModel,
    private readonly bus: EventBus,
    private readonly quarantine: Quarantine,
    private readonly clock: Clock,
    private readonly hlc: HlcClock,
    private readonly self: OriginId,
    private readonly packs: MetaPacks,
  ) {}

  /** Verified events waiting to be published as one batch (one database transaction). */
  private batch: { hash: ContentHash; event: MetaEvent }[] = [];

  async importOrigin(origin: OriginId, counts: ImportCounts): Promise<void> {
    try {
      await this.importAll(origin, counts);
    } finally {
      this.flush(origin);
    }
  }

  private flush(origin: OriginId): void {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.bus.publish({ type: 'MetaBatchAccepted', origin, events });
  }

  private async importAll(origin: OriginId, counts: ImportCounts): Promise<void> {
    await this.hlc.load();
    // A deferred event in a pack stops the packs, not the single events: the ones below its reading still
    // apply (a pack may be forged, or folded out of order with them), and the ones above are deferred too.
    await this.importPacks(origin, counts);
    const cursor = this.readModel.metaCursor(origin);
    let after: string | undefined = cursor ? `${origin}/meta/${cursor}-~` : undefined;
    for (;;) {
      const keys = await this.artifacts.list(`${origin}/meta/`, after, PAGE);
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'meta' || parsed.origin !== origin) continue;
        if (!(await this.apply(origin, parsed.ref, counts))) return;
      }
      this.flush(origin);
      if (keys.length < PAGE) break;
      after = keys[keys.length - 1];
    }
    // Events below the cursor that arrived late: their successors named them, so they are known missing.
    for (let progress = true; progress; ) {
      progress = false;
      for (const stem of this.readModel.missingMeta(origin)) {
        const name = parseMetaStem(stem);
        if (!name) continue;
        const ref = { kind: 'meta' as const, hlc: name.hlc, hash: name.hash };
        const single = await this.artifacts.has(origin, ref);
        const bytes = single ? null : await this.packs.findEvent(origin, stem);
        if (!single && !bytes) continue;
        if (await this.apply(origin, ref, counts, bytes)) progress = true;
      }
      this.flush(origin); // the projection settles what is still missing
    }
  }

  /**
   * The events of the local packs beyond the cursor, in order: a new replica replays the ledger from a few
   * packs. Packs were verified whole when they arrived; each event is checked again as it is applied.
   * False when an event is deferred by the drift bound (stop the packs of this origin).
   */
  private async importPacks(origin: OriginId, counts: ImportCounts): Promise<boolean> {
    for (const ref of await this.packs.list(origin)) {
      const cursor = this.readModel.metaCursor(origin);
      if (cursor !== null && ref.hlc <= cursor) continue; // every event of this pack is applied
      let pack;
      try {
        pack = await this.packs.read(origin, ref);
      } catch (err) {
        if (!isCorruption(err)) throw err;
        const raw = await this.artifacts.evict(origin, ref);
        const e = err as { code: string; message: string };
        await this.quarantine.put({ source: 'local', key: artifactKey(origin, ref), code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
        counts.quarantined++;
        continue;
      }
      for (const packed of pack?.events ?? []) {
        if (cursor !== null && packed.stem <= `${cursor}-~`) continue;
        const [hlc] = packed.stem.split('-') as [string];
        if (!(await this.apply(origin, { kind: 'meta', hlc, hash: packed.hash }, counts, packed.bytes))) return false;
      }
      this.flush(origin);
    }
    return true;
  }

  /** Verify and publish one event; false when it is deferred by the drift bound (stop for this origin). */
  private async apply(origin: OriginId, ref: { kind: 'meta'; hlc: string; hash: ContentHash }, counts: ImportCounts, given: Uint8Array | null = null): Promise<boolean> {
    try {
      const bytes = given ?? (await this.artifacts.readCanonical(origin, ref));
      if (!bytes) return true;
      const event = decodeMetaEvent(bytes, { origin, hlc: ref.hlc, hash: ref.hash });
      if (origin === this.self) this.hlc.raise(event.hlc); // own events: the drift bound is for remote clocks
      else if (!this.hlc.observe(event.hlc)) {
        // Further ahead of our clock than the drift bound: deferred (kept, retried later), and so is every
        // later event of this origin, since its events are named in clock order.
        counts.deferred++;
        return false;
      }
      this.batch.push({ hash: ref.hash, event });
      counts.events++;
    } catch (err) {
      if (isCairnError(err, 'VERSION_UNSUPPORTED')) return true;
      if (!isCorruption(err)) throw err;
      if (given) throw err; // a pack verified whole cannot hold a damaged event
      const raw = await this.artifacts.evict(origin, ref);
      const e = err as { code: string; message: string };
      await this.quarantine.put({ source: 'local', key: artifactKey(origin, ref), code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
      counts.quarantined++;
    }
    return true;
  }
}

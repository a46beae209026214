import { artifactKey, decodeMetaEvent, isCairnError, parseArtifactKey, parseMetaStem, toIso, type ContentHash, type OriginId } from '../../domain';
import type { EventBus } from '../EventBus';
import type { Clock } from '../ports/Clock';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from './ArtifactRepository';
import { isCorruption } from './ArtifactVerifier';
import type { HlcClock } from './HlcClock';
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
  ) {}

  async importOrigin(origin: OriginId, counts: ImportCounts): Promise<void> {
    await this.hlc.load();
    const cursor = this.readModel.metaCursor(origin);
    let after: string | undefined = cursor ? `${origin}/meta/${cursor}-~` : undefined;
    for (;;) {
      const keys = await this.artifacts.list(`${origin}/meta/`, after, PAGE);
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'meta' || parsed.origin !== origin) continue;
        if (!(await this.apply(origin, parsed.ref, counts))) return;
      }
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
        if (!(await this.artifacts.has(origin, ref))) continue;
        if (await this.apply(origin, ref, counts)) progress = true;
      }
    }
  }

  /** Verify and publish one event; false when it is deferred by the drift bound (stop for this origin). */
  private async apply(origin: OriginId, ref: { kind: 'meta'; hlc: string; hash: ContentHash }, counts: ImportCounts): Promise<boolean> {
    try {
      const bytes = await this.artifacts.readCanonical(origin, ref);
      if (!bytes) return true;
      const event = decodeMetaEvent(bytes, { origin, hlc: ref.hlc, hash: ref.hash });
      if (origin === this.self) this.hlc.raise(event.hlc); // own events: the drift bound is for remote clocks
      else if (!this.hlc.observe(event.hlc)) {
        // Further ahead of our clock than the drift bound: deferred (kept, retried later), and so is every
        // later event of this origin, since its events are named in clock order.
        counts.deferred++;
        return false;
      }
      this.bus.publish({ type: 'MetaAccepted', origin, hash: ref.hash, event });
      counts.events++;
    } catch (err) {
      if (isCairnError(err, 'VERSION_UNSUPPORTED')) return true;
      if (!isCorruption(err)) throw err;
      const raw = await this.artifacts.evict(origin, ref);
      const e = err as { code: string; message: string };
      await this.quarantine.put({ source: 'local', key: artifactKey(origin, ref), code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
      counts.quarantined++;
    }
    return true;
  }
}

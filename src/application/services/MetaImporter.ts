import { artifactKey, decodeMetaEvent, isCairnError, parseArtifactKey, toIso, type OriginId } from '../../domain';
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
        const { ref } = parsed;
        try {
          const bytes = await this.artifacts.readCanonical(origin, ref);
          if (!bytes) continue;
          const event = decodeMetaEvent(bytes, { origin, hlc: ref.hlc, hash: ref.hash });
          if (origin === this.self) this.hlc.raise(event.hlc); // own events: the drift bound is for remote clocks
          else if (!this.hlc.observe(event.hlc)) {
            // Further ahead of our clock than the drift bound: deferred (kept, retried later), and so is every
            // later event of this origin, since its events are named in clock order.
            counts.deferred++;
            return;
          }
          this.bus.publish({ type: 'MetaAccepted', origin, hash: ref.hash, event });
          counts.events++;
        } catch (err) {
          if (isCairnError(err, 'VERSION_UNSUPPORTED')) continue;
          if (!isCorruption(err)) throw err;
          const raw = await this.artifacts.evict(origin, ref);
          const e = err as { code: string; message: string };
          await this.quarantine.put({ source: 'local', key: artifactKey(origin, ref), code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
          counts.quarantined++;
        }
      }
      if (keys.length < PAGE) return;
      after = keys[keys.length - 1];
    }
  }
}

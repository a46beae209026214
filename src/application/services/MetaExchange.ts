import { artifactKey, decodeMetaEvent, isCairnError, parseArtifactKey, toIso, type OriginId } from '../../domain';
import type { Clock } from '../ports/Clock';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';
import type { ArtifactRepository } from './ArtifactRepository';
import { isCorruption } from './ArtifactVerifier';
import type { ExchangeCounts } from './SyncCounts';

const PAGE = 1000;

/**
 * Moves metadata events between the local store and a target. An origin's events are named by HLC, so
 * "what is new" is a listing after a cursor: for pull, the newest event applied here; for push, the newest
 * event known to be on the target. Pulled events are verified (hash, HLC and origin against the name and
 * folder, schema) before they are stored; damaged ones are quarantined and never win.
 */
export class MetaExchange {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly readModel: ReadModel,
    private readonly quarantine: Quarantine,
    private readonly clock: Clock,
  ) {}

  async pull(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    const cursor = this.readModel.metaCursor(origin);
    let after: string | undefined = cursor ? `${origin}/meta/${cursor}-~` : undefined;
    for (;;) {
      const keys = await target.list(`${origin}/meta/`, { after, limit: PAGE });
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'meta' || parsed.origin !== origin) continue;
        if (await this.artifacts.has(origin, parsed.ref)) continue;
        const raw = await target.get(key);
        if (!raw) continue;
        try {
          decodeMetaEvent(raw, { origin, hlc: parsed.ref.hlc, hash: parsed.ref.hash });
        } catch (err) {
          if (!isCairnError(err, 'VERSION_UNSUPPORTED')) {
            if (!isCorruption(err) && !isCairnError(err, 'HLC_INVALID')) throw err;
            const e = err as { code: string; message: string };
            await this.quarantine.put({ source: target.url, key, code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
            counts.quarantined++;
            continue;
          }
        }
        if ((await this.artifacts.storeRaw(origin, parsed.ref, raw, raw)) === 'created') {
          counts.pulled++;
          counts.bytesPulled += raw.length;
        }
      }
      if (keys.length < PAGE) return;
      after = keys[keys.length - 1];
    }
  }

  async push(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    const cursorKey = `${origin}/meta`;
    const cursor = this.readModel.syncCursorKey(target.url, cursorKey);
    let after = cursor ?? undefined;
    let last = cursor;
    for (;;) {
      const keys = await this.artifacts.list(`${origin}/meta/`, after, PAGE);
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'meta') continue;
        const raw = await this.artifacts.readRaw(origin, parsed.ref);
        if (!raw) continue;
        try {
          decodeMetaEvent(raw, { origin, hlc: parsed.ref.hlc, hash: parsed.ref.hash }); // never relay damage
        } catch (err) {
          if (!isCairnError(err, 'VERSION_UNSUPPORTED')) {
            // A newer format is relayed as received; a damaged local copy is set aside, never copied onward.
            if (!isCorruption(err) && !isCairnError(err, 'HLC_INVALID')) throw err;
            const e = err as { code: string; message: string };
            await this.quarantine.put({ source: 'local', key, code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
            await this.artifacts.evict(origin, parsed.ref);
            counts.quarantined++;
            last = key;
            continue;
          }
        }
        const outcome = await target.putIfAbsent(artifactKey(origin, parsed.ref), raw);
        if (outcome === 'created') {
          counts.pushed++;
          counts.bytesPushed += raw.length;
        } else if (outcome === 'conflict') {
          await target.delete(key); // a damaged copy (the name is the content's hash): heal it
          if ((await target.putIfAbsent(key, raw)) === 'created') counts.pushed++;
        }
        last = key;
      }
      if (keys.length < PAGE) break;
      after = keys[keys.length - 1];
    }
    if (last) this.readModel.setSyncCursorKey(target.url, cursorKey, last);
  }
}

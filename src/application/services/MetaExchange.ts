import { acceptHorizon, artifactKey, decodeMetaEvent, msToNs, isCairnError, parseArtifactKey, parseMetaStem, toIso, type ContentHash, type MetaEvent, type OriginId } from '../../domain';
import type { Clock } from '../ports/Clock';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';
import type { Codec } from '../ports/Codec';
import type { ArtifactRepository } from './ArtifactRepository';
import { isCorruption } from './ArtifactVerifier';
import type { MetaPackPush } from './MetaPackPush';
import { contiguousTo, listPacks, type MetaPacks, type PackRef } from './MetaPacks';
import { checkPack, provesDamage, removeDamagedCopy, sameBytes } from './packCheck';
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
    private readonly packs: MetaPacks,
    private readonly codec: Codec,
    private readonly packPush: MetaPackPush,
  ) {}

  /** Pack names claiming readings above this are not trusted to cover anything (see `contiguousTo`). */
  private horizon(): string {
    return acceptHorizon(msToNs(this.clock.now()));
  }

  async pull(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    await this.pullPacks(target, origin, counts);
    await this.pullAfterCursor(target, origin, counts);
    // Events named as predecessors but not here (delivered late, below the cursor): fetch them by name,
    // following each one's own predecessor until the chain reaches what we have.
    const queue = [...this.readModel.missingMeta(origin)];
    const tried = new Set<string>();
    while (queue.length > 0) {
      const stem = queue.shift()!;
      if (tried.has(stem)) continue;
      tried.add(stem);
      const name = parseMetaStem(stem);
      if (!name) continue;
      const ref = { kind: 'meta' as const, hlc: name.hlc, hash: name.hash };
      if ((await this.artifacts.has(origin, ref)) || (await this.packs.findEvent(origin, stem))) continue;
      const event = await this.fetchOne(target, origin, ref, `${origin}/meta/${stem}.json`, counts);
      if (event?.prev && !(await this.artifacts.has(origin, { kind: 'meta', ...parseMetaStem(event.prev)! }))) queue.push(event.prev);
    }
  }

  /**
   * An origin's packs are few (one per thousands of events), so every pull lists them all and fetches those
   * not here: a new replica gets the ledger in a few artifacts instead of one per event, and a pack that a
   * copy tool delivers late is still found.
   */
  private async pullPacks(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    for (const ref of await listPacks(target, origin)) {
      if (await this.artifacts.has(origin, ref)) continue;
      const fetched = await this.fetchPack(target, origin, ref, counts);
      if (fetched && (await this.artifacts.storeRaw(origin, ref, fetched.raw, fetched.canonical)) === 'created') {
        counts.pulled++;
        counts.bytesPulled += fetched.raw.length;
      }
    }
  }

  /**
   * Fetch and verify a pack. Damaged bytes are read again: a second read that differs is judged on its own
   * (an interrupted transfer, a file still being written); the same damaged bytes twice are confirmed damage,
   * quarantined here and, when they cannot be the named content (they do not inflate, or hash to another
   * name), removed from the target: whoever holds the pack (its author, a relay) then finds it missing at its
   * next push and copies it again. Null when absent or damaged.
   */
  private async fetchPack(target: Transport, origin: OriginId, ref: PackRef, counts: ExchangeCounts): Promise<{ raw: Uint8Array; canonical: Uint8Array } | null> {
    const key = artifactKey(origin, ref);
    let raw = await target.get(key);
    if (!raw) return null;
    let check = await checkPack(this.codec, origin, ref, raw);
    if (check.ok) return { raw, canonical: check.canonical };
    const again = await target.get(key);
    const confirmed = again !== null && sameBytes(again, raw);
    if (again && !confirmed) {
      raw = again;
      check = await checkPack(this.codec, origin, ref, raw);
      if (check.ok) return { raw, canonical: check.canonical };
    }
    const { code, message } = check.error;
    await this.quarantine.put({ source: target.url, key, code, reason: message, at: toIso(this.clock.now()) }, raw);
    counts.quarantined++;
    if (confirmed && provesDamage(check.error)) await removeDamagedCopy(target, key);
    return null;
  }

  private async pullAfterCursor(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    // What the local packs cover is here already, applied or not.
    const applied = this.readModel.metaCursor(origin);
    const packed = await this.packs.coveredTo(origin, this.horizon());
    const cursor = applied !== null && (packed === null || applied > packed) ? applied : packed;
    let after: string | undefined = cursor ? `${origin}/meta/${cursor}-~` : undefined;
    for (;;) {
      const keys = await target.list(`${origin}/meta/`, { after, limit: PAGE });
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'meta' || parsed.origin !== origin) continue;
        if (await this.artifacts.has(origin, parsed.ref)) continue;
        await this.fetchOne(target, origin, parsed.ref, key, counts);
      }
      if (keys.length < PAGE) return;
      after = keys[keys.length - 1];
    }
  }

  /** Fetch, verify and store one event; returns it (null when absent, damaged or of a newer format). */
  private async fetchOne(target: Transport, origin: OriginId, ref: { kind: 'meta'; hlc: string; hash: ContentHash }, key: string, counts: ExchangeCounts): Promise<MetaEvent | null> {
    const raw = await target.get(key);
    if (!raw) return null;
    let event: MetaEvent | null = null;
    try {
      event = decodeMetaEvent(raw, { origin, hlc: ref.hlc, hash: ref.hash });
    } catch (err) {
      if (!isCairnError(err, 'VERSION_UNSUPPORTED')) {
        if (!isCorruption(err) && !isCairnError(err, 'HLC_INVALID')) throw err;
        const e = err as { code: string; message: string };
        await this.quarantine.put({ source: target.url, key, code: e.code, reason: e.message, at: toIso(this.clock.now()) }, raw);
        counts.quarantined++;
        return null;
      }
    }
    if ((await this.artifacts.storeRaw(origin, ref, raw, raw)) === 'created') {
      counts.pulled++;
      counts.bytesPulled += raw.length;
    }
    return event;
  }

  async push(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<void> {
    // Events that packs on the target fold (without a gap from the chain's start) travel in those packs.
    const packed = contiguousTo(await this.packPush.push(target, origin, counts), this.horizon());
    const cursorKey = `${origin}/meta`;
    const cursor = this.readModel.syncCursorKey(target.url, cursorKey);
    const packedKey = packed === null ? null : `${origin}/meta/${packed}-~`;
    let after = (cursor !== null && (packedKey === null || cursor > packedKey) ? cursor : packedKey) ?? undefined;
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
    // Events that arrived here after a successor sit below the cursor: make sure the target has them.
    // (One that only a pack holds here travels in that pack.)
    for (const stem of this.readModel.lateMeta(origin)) {
      const name = parseMetaStem(stem);
      if (!name) continue;
      const key = `${origin}/meta/${stem}.json`;
      if (await target.has(key)) continue;
      const raw = await this.artifacts.readRaw(origin, { kind: 'meta', hlc: name.hlc, hash: name.hash });
      if (raw && (await target.putIfAbsent(key, raw)) === 'created') {
        counts.pushed++;
        counts.bytesPushed += raw.length;
      }
    }
  }
}

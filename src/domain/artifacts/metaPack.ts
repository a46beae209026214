import { CairnError, isCairnError } from '../errors';
import { sha256Hex, type ContentHash } from '../hash';
import type { OriginId } from '../ids';
import { concatBytes } from '../bytes';
import { canonicalBytes } from '../json';
import { CHAIN_START } from './artifactPath';
import { checkKind, checkVersion, FORMAT_VERSION, invalidArtifact, parseJsonDocument } from './format';
import { decodeMetaEvent, MAX_META_EVENT_BYTES, metaStem, parseMetaStem, type MetaEvent } from './metaEvent';

/**
 * A pack folds a contiguous run of one origin's own metadata events into one artifact,
 * `meta/pack-<hlc of the last event>-<hlc of the event before the first, or 0>-<hash>.ndjson.zst`: zstd
 * NDJSON whose first line is the header `{after?, count, first, kind:"metaPack", last, origin, v}` and whose
 * other lines are the events' canonical bytes,
 * exactly as published one by one (so each event keeps its identity, the hash of its line). The events are in
 * name order and chained: each one's `prev` is the line before it. Only the author packs its events, so a
 * pack never races another writer; once a pack is everywhere, the single events it folds may be collected.
 */
export interface MetaPackHeader {
  readonly origin: OriginId;
  readonly count: number;
  /** The stem of the event before the first (its `prev`), absent when the pack starts the chain. */
  readonly after?: string;
  /** Stems (`<hlc>-<hash>`) of the first and last event. */
  readonly first: string;
  readonly last: string;
}

export interface PackedEvent {
  readonly stem: string;
  readonly hash: ContentHash;
  /** The event's canonical bytes (its own artifact), newline included. */
  readonly bytes: Uint8Array;
  /** Null when the event is of a newer format: kept in the pack, applied after an upgrade. */
  readonly event: MetaEvent | null;
}

export interface DecodedMetaPack {
  readonly header: MetaPackHeader;
  readonly events: readonly PackedEvent[];
}

/** Budget of one pack: it stays under the segment limits, so every codec can handle it. */
export const META_PACK_LIMITS = { maxEvents: 4096, maxBytes: 4 * 1024 * 1024 } as const;

/** Build a pack from canonical event artifacts that are in name order and chained by `prev`. */
export function encodeMetaPack(
  origin: OriginId,
  events: readonly { bytes: Uint8Array; hash: ContentHash; event: MetaEvent }[],
): { bytes: Uint8Array; hash: ContentHash; hlc: string; after: string; header: MetaPackHeader } {
  if (events.length === 0 || events.length > META_PACK_LIMITS.maxEvents) throw new CairnError('META_INVALID', `a pack holds 1..${META_PACK_LIMITS.maxEvents} events, not ${events.length}`);
  const stems = events.map((e) => metaStem(e.event.hlc, e.hash));
  events.forEach((e, i) => {
    if (e.event.origin !== origin) throw new CairnError('META_INVALID', `event ${stems[i]} is by ${e.event.origin}, not ${origin}`);
    if (i > 0 && e.event.prev !== stems[i - 1]) throw new CairnError('META_INVALID', `event ${stems[i]} does not follow ${stems[i - 1]} in its author's chain`);
  });
  const after = events[0]!.event.prev;
  const header: MetaPackHeader = { origin, count: events.length, ...(after ? { after } : {}), first: stems[0]!, last: stems[stems.length - 1]! };
  const chunks = [canonicalBytes({ ...header, kind: 'metaPack', v: FORMAT_VERSION }), ...events.map((e) => e.bytes)];
  const bytes = concatBytes(chunks, chunks.reduce((n, c) => n + c.length, 0));
  if (bytes.length > META_PACK_LIMITS.maxBytes) throw new CairnError('META_INVALID', `a pack of ${events.length} events is ${bytes.length} bytes, over ${META_PACK_LIMITS.maxBytes}`);
  return { bytes, hash: sha256Hex(bytes), hlc: events[events.length - 1]!.event.hlc, after: stemHlc(after), header };
}

/**
 * Verify and decode a pack as received: its hash against its name, its origin against its folder, its last
 * event's HLC against its name, every event (hash, schema, origin), name order and the `prev` chain.
 */
export function decodeMetaPack(bytes: Uint8Array, expect: { origin: OriginId; hlc: string; after: string; hash: ContentHash }): DecodedMetaPack {
  const where = `metadata pack ${expect.hash.slice(0, 12)} of ${expect.origin}`;
  if (bytes.length > META_PACK_LIMITS.maxBytes) throw invalidArtifact(where, `${bytes.length} bytes, over the ${META_PACK_LIMITS.maxBytes}-byte limit`);
  const actual = sha256Hex(bytes);
  if (actual !== expect.hash) throw new CairnError('HASH_MISMATCH', `${where}: content hashes to ${actual.slice(0, 12)}, not its name`);
  const lines = splitLines(bytes, where);
  const doc = parseJsonDocument(lines[0]!, where);
  checkKind(doc, 'metaPack', where);
  checkVersion(doc, where);
  if (doc.origin !== expect.origin) throw invalidArtifact(where, `names origin ${JSON.stringify(doc.origin)}, not the folder it is in`);
  const count = doc.count;
  if (!Number.isSafeInteger(count) || (count as number) < 1 || count !== lines.length - 1) throw invalidArtifact(where, `count ${JSON.stringify(count)} does not match its ${lines.length - 1} events`);
  const events: PackedEvent[] = [];
  for (const line of lines.slice(1)) {
    if (line.length > MAX_META_EVENT_BYTES) throw invalidArtifact(where, `an event of ${line.length} bytes is over the limit`);
    const hash = sha256Hex(line);
    let event: MetaEvent | null = null;
    let hlc: string;
    try {
      event = decodeMetaEvent(line, { origin: expect.origin, hash });
      hlc = event.hlc;
    } catch (err) {
      if (!isCairnError(err, 'VERSION_UNSUPPORTED')) throw new CairnError(err instanceof CairnError ? err.code : 'ARTIFACT_INVALID', `${where}: ${(err as Error).message}`);
      hlc = String(parseJsonDocument(line, where).hlc);
    }
    const stem = metaStem(hlc, hash);
    const before = events[events.length - 1];
    if (before && stem <= before.stem) throw invalidArtifact(where, `events are not in name order at ${stem}`);
    if (before && event && event.prev !== before.stem) throw invalidArtifact(where, `event ${stem} does not follow ${before.stem} in its author's chain`);
    events.push({ stem, hash, bytes: line, event });
  }
  const first = events[0]!.stem;
  const last = events[events.length - 1]!.stem;
  if (doc.first !== first || doc.last !== last) throw invalidArtifact(where, 'first/last do not name its first and last events');
  if (parseMetaStem(last)?.hlc !== expect.hlc) throw invalidArtifact(where, `its name says ${expect.hlc}, its last event is ${last}`);
  const after = doc.after === undefined ? undefined : String(doc.after);
  if (after !== undefined && !parseMetaStem(after)) throw invalidArtifact(where, `bad after ${JSON.stringify(doc.after)}`);
  const firstEvent = events[0]!.event;
  if (firstEvent && (firstEvent.prev ?? undefined) !== after) throw invalidArtifact(where, 'after does not name the event before its first');
  if (stemHlc(after) !== expect.after) throw invalidArtifact(where, `its name says it follows ${expect.after}, its header ${after ?? 'nothing'}`);
  return { header: { origin: expect.origin, count: count as number, ...(after ? { after } : {}), first, last }, events };
}

/** The HLC part of a stem, or CHAIN_START for none. */
function stemHlc(stem: string | undefined): string {
  return stem ? stem.slice(0, stem.indexOf('-')) : CHAIN_START;
}

function splitLines(bytes: Uint8Array, where: string): Uint8Array[] {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a) throw invalidArtifact(where, 'NDJSON must end with a newline');
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (i === start) throw invalidArtifact(where, 'empty line');
    lines.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  if (lines.length < 2) throw invalidArtifact(where, 'a pack holds a header and at least one event');
  return lines;
}

import { CairnError } from '../errors';
import { compareHlc, isHlcText, parseHlc } from '../hlc';
import { sha256Hex, isContentHash, type ContentHash } from '../hash';
import { isOriginId, parseGlobalId, type GlobalId, type OriginId } from '../ids';
import { canonicalBytes, canonicalize, canonicalizeOr, isJsonObject, jsonDepthExceeds, type Json } from '../json';
import { LIMITS } from '../limits';
import { checkKind, checkVersion, FORMAT_VERSION, noJsonForm, parseJsonDocument } from './format';

/**
 * One edit of one metadata field, by any origin: `meta/<hlc>-<hash>.json`, canonical JSON
 * `{base?, field, hlc, kind:"meta", op, origin, target, v, value}`. `target` is a stream (`{stream}`) or one
 * entry (`{stream, ordinal}`). `base` is the hash of the winning event the author saw for the same target and
 * field (absent when there was none): it tells a sequential edit from a concurrent one.
 */
export interface MetaTarget {
  readonly stream: GlobalId;
  readonly ordinal?: number;
}

export interface MetaEvent {
  readonly v: number;
  readonly hlc: string;
  readonly origin: OriginId;
  readonly target: MetaTarget;
  readonly op: string;
  readonly field: string;
  readonly value: Json;
  readonly base?: ContentHash;
  /** The name stem (`<hlc>-<hash>`) of the author's previous event: a reader that lacks it knows it is missing. */
  readonly prev?: string;
}

const STEM = /^(\d{20}\.\d{6})-([0-9a-f]{64})$/;

/** `<hlc>-<hash>`, the name of a metadata event without its folder and extension. */
export function metaStem(hlc: string, hash: ContentHash): string {
  return `${hlc}-${hash}`;
}

export function parseMetaStem(stem: string): { hlc: string; hash: ContentHash } | null {
  const m = STEM.exec(stem);
  return m ? { hlc: m[1]!, hash: m[2] as ContentHash } : null;
}

/** The largest metadata event, written or read. */
export const MAX_META_EVENT_BYTES = 64 * 1024;

export const META_EVENT_FIELDS = ['v', 'hlc', 'origin', 'target', 'op', 'field', 'value'] as const;

/** What each built-in op writes: the field, the value it sets, and whether it targets an entry. */
export const BUILTIN_OPS: Readonly<Record<string, { field: string; value?: Json; entry: boolean }>> = {
  rename: { field: 'title', entry: false },
  star: { field: 'starred', value: true, entry: false },
  unstar: { field: 'starred', value: false, entry: false },
  pin: { field: 'pinned', value: true, entry: true },
  unpin: { field: 'pinned', value: false, entry: true },
  trash: { field: 'trashed', value: true, entry: false },
  restore: { field: 'trashed', value: false, entry: false },
  purge: { field: 'purged', value: true, entry: false },
};

/** Fields the built-in ops own; `set` may not write them. */
export const BUILTIN_FIELDS = new Set(Object.values(BUILTIN_OPS).map((o) => o.field));

/** The value a built-in op writes, checked; `set` values are checked by the field's registered validator. */
export function builtinValue(op: string, given: Json | undefined): Json {
  const spec = BUILTIN_OPS[op];
  if (!spec) throw new CairnError('META_INVALID', `unknown metadata op "${op}"`);
  if (spec.value !== undefined) return spec.value;
  if (typeof given !== 'string' || given.trim().length === 0 || given.length > 256) {
    throw new CairnError('META_INVALID', 'a title must be a non-empty string of at most 256 characters');
  }
  return given;
}

export function encodeMetaEvent(e: Omit<MetaEvent, 'v'>): { bytes: Uint8Array; hash: ContentHash; event: MetaEvent } {
  const doc: Record<string, unknown> = {
    field: e.field,
    hlc: e.hlc,
    kind: 'meta',
    op: e.op,
    origin: e.origin,
    target: e.target.ordinal === undefined ? { stream: e.target.stream } : { ordinal: e.target.ordinal, stream: e.target.stream },
    v: FORMAT_VERSION,
    value: e.value,
  };
  if (e.base !== undefined) doc.base = e.base;
  if (e.prev !== undefined) doc.prev = e.prev;
  const bytes = canonicalBytes(doc);
  if (bytes.length > MAX_META_EVENT_BYTES) throw new CairnError('META_INVALID', `a metadata event is ${bytes.length} bytes, over the 64 KiB limit`);
  return { bytes, hash: sha256Hex(bytes), event: { ...e, v: FORMAT_VERSION } };
}

/**
 * Verify and decode a metadata event as received: hash against its name, HLC against its name and parsable,
 * origin against the folder it came from, target and value well formed. Unknown ops decode (they are kept and
 * relayed, applied after an upgrade); a newer `v` is VERSION_UNSUPPORTED.
 */
export function decodeMetaEvent(bytes: Uint8Array, expect: { origin: OriginId; hlc?: string; hash: ContentHash }): MetaEvent {
  const where = `metadata event ${expect.hash.slice(0, 12)} of ${expect.origin}`;
  if (bytes.length > MAX_META_EVENT_BYTES) throw invalid(where, `${bytes.length} bytes, over the ${MAX_META_EVENT_BYTES}-byte limit`);
  const actual = sha256Hex(bytes);
  if (actual !== expect.hash) throw new CairnError('HASH_MISMATCH', `${where}: content hashes to ${actual.slice(0, 12)}, not its name`);
  const doc = parseJsonDocument(bytes, where);
  checkKind(doc, 'meta', where);
  if (doc.origin !== expect.origin || !isOriginId(String(doc.origin))) throw invalid(where, `names origin ${JSON.stringify(doc.origin)}, not the folder it is in`);
  if (!isHlcText(doc.hlc) || (expect.hlc !== undefined && doc.hlc !== expect.hlc)) throw invalid(where, `bad or mismatched hlc ${JSON.stringify(doc.hlc)}`);
  checkVersion(doc, where);
  if (typeof doc.op !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(doc.op)) throw invalid(where, `bad op ${JSON.stringify(doc.op)}`);
  if (typeof doc.field !== 'string' || !/^[a-z][A-Za-z0-9_.-]{0,63}$/.test(doc.field)) throw invalid(where, `bad field ${JSON.stringify(doc.field)}`);
  const target = parseTarget(doc.target, where);
  if (!('value' in doc) || jsonDepthExceeds(doc.value, LIMITS.maxJsonDepth)) throw invalid(where, 'bad value');
  canonicalizeOr(doc.value, (at, why) => noJsonForm(where, 'value', at, why)); // the read model stores it canonical, unknown ops too
  if (doc.base !== undefined && !isContentHash(doc.base)) throw invalid(where, `bad base ${JSON.stringify(doc.base)}`);
  if (doc.prev !== undefined && (typeof doc.prev !== 'string' || !parseMetaStem(doc.prev) || doc.prev >= `${doc.hlc}-`)) {
    throw invalid(where, `bad prev ${JSON.stringify(doc.prev)} (it must name an earlier event)`);
  }
  const event: MetaEvent = { v: doc.v as number, hlc: doc.hlc, origin: expect.origin, target, op: doc.op, field: doc.field, value: doc.value as Json };
  const builtin = BUILTIN_OPS[event.op];
  if (builtin) {
    if (builtin.field !== event.field) throw invalid(where, `op ${event.op} writes ${builtin.field}, not ${event.field}`);
    if (builtin.entry !== (target.ordinal !== undefined)) throw invalid(where, `op ${event.op} targets ${builtin.entry ? 'an entry' : 'a stream'}`);
    try {
      if (canonicalize(builtinValue(event.op, event.value)) !== canonicalize(event.value)) throw new Error('value');
    } catch {
      throw invalid(where, `bad value for ${event.op}: ${JSON.stringify(event.value).slice(0, 80)}`);
    }
  }
  return {
    ...event,
    ...(doc.base === undefined ? {} : { base: doc.base as ContentHash }),
    ...(doc.prev === undefined ? {} : { prev: doc.prev as string }),
  };
}

function parseTarget(value: unknown, where: string): MetaTarget {
  if (!isJsonObject(value)) throw invalid(where, 'target must be an object');
  let stream: GlobalId;
  try {
    stream = parseGlobalId(String(value.stream)).gid;
  } catch {
    throw invalid(where, `bad target stream ${JSON.stringify(value.stream)}`);
  }
  if (value.ordinal === undefined) return { stream };
  if (!Number.isSafeInteger(value.ordinal) || (value.ordinal as number) < 0) throw invalid(where, `bad target ordinal ${JSON.stringify(value.ordinal)}`);
  return { stream, ordinal: value.ordinal as number };
}

function invalid(where: string, why: string): CairnError {
  return new CairnError('ARTIFACT_INVALID', `${where}: ${why}`);
}

/** The key a register is kept under: the target and the field. */
export function registerKey(target: MetaTarget, field: string): string {
  return `${target.stream}#${target.ordinal ?? ''}#${field}`;
}

/** The total order of last-writer-wins: (hlc, origin, event hash), greatest wins. */
export function compareOrderKey(a: { hlc: string; origin: string; hash: string }, b: { hlc: string; origin: string; hash: string }): number {
  const byClock = compareHlc(parseHlc(a.hlc), parseHlc(b.hlc));
  if (byClock !== 0) return byClock;
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

export interface RegisterEvent {
  readonly hash: ContentHash;
  readonly hlc: string;
  readonly origin: OriginId;
  readonly value: Json;
  readonly base?: ContentHash;
}

/**
 * Winner and conflict log of one register, as a function of the set of its events (so every replica that
 * holds the same events agrees, whatever the arrival order). An event some other event was based on (its
 * author saw it, then edited) is superseded; the others are heads, one per concurrent line of edits. The
 * winner (the greatest order key) is always a head. A head other than the winner is in conflict with it when
 * it came from another origin and holds a different value: sequential edits, by one origin or across
 * origins, are never conflicts, and of a losing line only its last edit is logged.
 */
export function resolveRegister(events: readonly RegisterEvent[]): { winner: RegisterEvent | null; conflicts: RegisterEvent[] } {
  if (events.length === 0) return { winner: null, conflicts: [] };
  const superseded = new Set(events.map((e) => e.base).filter((b): b is ContentHash => b !== undefined));
  const heads = events.filter((e) => !superseded.has(e.hash));
  return conflictsAmong(heads, events.reduce((w, e) => (compareOrderKey(e, w) > 0 ? e : w)));
}

/** The conflict log given the heads and the winner (the projection keeps heads incrementally). */
export function conflictsAmong(heads: readonly RegisterEvent[], winner: RegisterEvent): { winner: RegisterEvent; conflicts: RegisterEvent[] } {
  const winnerValue = canonicalize(winner.value);
  const conflicts = heads
    .filter((e) => e.hash !== winner.hash && e.origin !== winner.origin && canonicalize(e.value) !== winnerValue)
    .sort((a, b) => compareOrderKey(b, a));
  return { winner, conflicts };
}

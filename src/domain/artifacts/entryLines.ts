import { canonicalize, jsonDepthExceeds, type Json } from '../json';
import { LIMITS } from '../limits';
import { searchText } from '../searchText';
import { isIsoUtc } from '../time';
import { parseEntry, type Entry } from './entry';
import { invalidArtifact } from './format';

/** A segment's entry lines, decoded and checked, with what the read model stores for each. */
export interface DecodedEntries {
  readonly entries: Entry[];
  /** Each body's canonical JSON text; absent when some body has none (the projection then reports it). */
  readonly texts?: string[];
  /** Each entry's {@link searchText}. */
  readonly searchTexts: string[];
}

/**
 * Decode entry lines (without their newlines) whose first ordinal is `from`. The result is the same for
 * every input as parsing each whole line, checking it with {@link parseEntry} and deriving the texts from
 * the parsed body; errors are the same too (ADR 0013).
 *
 * A line of the canonical shape `{"body":BODY,"ordinal":N,"ts":"TS"}` is read without re-encoding BODY: the
 * body's canonical text is BODY itself whenever BODY is canonical (checked without encoding, see
 * {@link fastLine}); any other line takes the general path.
 */
export function decodeEntryLines(lines: readonly string[], from: number, where: string): DecodedEntries {
  const entries: Entry[] = new Array(lines.length);
  const texts: string[] = new Array(lines.length);
  const searchTexts: string[] = new Array(lines.length);
  const times = new TsCache();
  let allTexts = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const ordinal = from + i;
    const fast = fastLine(line, ordinal, times);
    if (fast) {
      entries[i] = fast.entry;
      searchTexts[i] = fast.search;
      if (fast.text !== undefined) {
        texts[i] = fast.text;
        continue;
      }
    } else {
      const entry = slowLine(line, ordinal, i + 2, where);
      entries[i] = entry;
      searchTexts[i] = searchText(entry.body);
    }
    const text = canonicalOrUndefined(entries[i]!.body);
    if (text === undefined) allTexts = false;
    else texts[i] = text;
  }
  return allTexts ? { entries, texts, searchTexts } : { entries, searchTexts };
}

/** The general path: the whole line parsed, then checked as an entry. */
function slowLine(line: string, ordinal: number, lineNo: number, where: string): Entry {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw invalidArtifact(where, `line ${lineNo} is not JSON`);
  }
  return parseEntry(doc, ordinal, where);
}

/** A body with no JSON form (a number beyond double range parses to Infinity) has no text. */
function canonicalOrUndefined(body: Json): string | undefined {
  try {
    return canonicalize(body);
  } catch {
    return undefined;
  }
}

const PREFIX = '{"body":';
const ORDINAL_KEY = ',"ordinal":';
const TS_KEY = ',"ts":"';

export interface FastLine {
  readonly entry: Entry;
  readonly search: string;
  /** BODY, when it is the body's canonical text; undefined when the body must be encoded. */
  readonly text: string | undefined;
}

/**
 * A line `{"body":BODY,"ordinal":N,"ts":"TS"}` where N is the expected ordinal written as an integer, TS
 * is a valid timestamp (its characters need no escaping, so the raw text is the value) and BODY alone
 * parses as JSON. JSON's grammar then makes the whole line an object with exactly these three members,
 * `body` being BODY's value: the same entry the general path would accept. Anything else returns null and
 * takes the general path, which also produces any error.
 */
export function fastLine(line: string, ordinal: number, times = new TsCache()): FastLine | null {
  if (!line.startsWith(PREFIX)) return null;
  const close = line.length - 2; // the quote that ends TS
  if (line.charCodeAt(close + 1) !== 0x7d || line.charCodeAt(close) !== 0x22) return null;
  const open = line.lastIndexOf('"', close - 1);
  const tsKey = open + 1 - TS_KEY.length;
  if (tsKey <= PREFIX.length || !line.startsWith(TS_KEY, tsKey)) return null;
  // N: the digits before `,"ts":"`, no leading zero, equal to the expected ordinal (at most 15 digits: exact).
  let start = tsKey;
  let value = 0;
  while (start > 0 && isDigit(line.charCodeAt(start - 1))) start--;
  if (start === tsKey || tsKey - start > 15 || (line.charCodeAt(start) === 0x30 && tsKey - start > 1)) return null;
  for (let k = start; k < tsKey; k++) value = value * 10 + (line.charCodeAt(k) - 0x30);
  if (value !== ordinal) return null;
  const bodyEnd = start - ORDINAL_KEY.length;
  if (bodyEnd <= PREFIX.length || !line.startsWith(ORDINAL_KEY, bodyEnd)) return null;
  const ts = times.valid(line.slice(open + 1, close));
  if (ts === null) return null;
  const bodyText = line.slice(PREFIX.length, bodyEnd);
  let body: Json;
  try {
    body = JSON.parse(bodyText) as Json;
  } catch {
    return null;
  }
  const entry: Entry = { ordinal, ts, body };
  const parts: string[] = [];
  if (isWellFormed(bodyText) && scanCanonical(bodyText, parts)) return { entry, search: parts.join(' '), text: bodyText };
  if (jsonDepthExceeds(body, LIMITS.maxJsonDepth)) return null; // the general path reports it
  return { entry, search: searchText(body), text: undefined };
}

/**
 * Whether `text`, which JSON.parse accepted, is exactly the canonical encoding of its value (`canonicalize`)
 * and nests no deeper than the limit. Canonical means: no whitespace; every string and key written as
 * JSON.stringify writes it; every number as JSON.stringify writes it (a finite one); in every object, keys in
 * strictly increasing UTF-16 order (so none repeats). When true, `parts` holds the value strings in text
 * order, which for canonical text is {@link searchText}'s order (objects in sorted key order).
 * Requires well-formed UTF-16: a lone surrogate written raw would be escaped by the encoder.
 */
export function scanCanonical(text: string, parts: string[]): boolean {
  const isObject: boolean[] = [];
  const lastKey: (string | null)[] = [];
  let depth = 0;
  let keyNext = false;
  let backslash = text.indexOf('\\');
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i, backslash);
      let value: string;
      if (backslash < 0 || backslash > end) {
        value = text.slice(i + 1, end);
      } else {
        const token = text.slice(i, end + 1);
        value = JSON.parse(token) as string;
        if (JSON.stringify(value) !== token) return false;
        backslash = text.indexOf('\\', end + 1);
      }
      if (keyNext) {
        const last = lastKey[depth]!;
        if (last !== null && !(last < value)) return false;
        lastKey[depth] = value;
      } else {
        parts.push(value);
      }
      i = end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > LIMITS.maxJsonDepth) return false;
      isObject[depth] = keyNext = c === 0x7b;
      lastKey[depth] = null;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      keyNext = false;
      i++;
    } else if (c === 0x2c) {
      keyNext = isObject[depth]!;
      i++;
    } else if (c === 0x3a) {
      keyNext = false;
      i++;
    } else if (c === 0x74 || c === 0x6e) {
      i += 4; // true, null
    } else if (c === 0x66) {
      i += 5; // false
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      if (JSON.stringify(Number(token)) !== token) return false; // also 1e400 (Infinity writes "null") and -0
      i = j;
    } else {
      return false; // whitespace
    }
  }
  return true;
}

/** The index of the quote that closes the string opening at `i`; `backslash` is the first `\` at or after it (or -1). */
function stringEnd(text: string, i: number, backslash: number): number {
  let q = text.indexOf('"', i + 1);
  if (backslash < 0 || backslash > q) return q;
  for (;;) {
    let b = q - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q; // an even run of backslashes escapes only itself
    q = text.indexOf('"', q + 1);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Entries of a segment mostly share timestamps (one per append): each distinct one is checked once. */
class TsCache {
  private last = '';

  /** The timestamp (the checked string, shared), or null when it is not valid. */
  valid(ts: string): string | null {
    if (ts === this.last) return this.last;
    if (!isIsoUtc(ts)) return null;
    this.last = ts;
    return ts;
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isWellFormed(text: string): boolean {
  const native = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(text) : !LONE_SURROGATE.test(text);
}

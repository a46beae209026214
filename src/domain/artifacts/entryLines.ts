import { canonicalizeOr, jsonDepthExceeds, type Json } from '../json';
import { LIMITS } from '../limits';
import { scanCanonical } from '../canonicalText';
import { searchText } from '../searchText';
import { isIsoUtc } from '../time';
import { parseEntry, type Entry } from './entry';
import { invalidArtifact, noJsonForm } from './format';

/** A segment's entry lines, decoded and checked, with what the read model stores for each. */
export interface DecodedEntries {
  readonly entries: Entry[];
  /** Each body's canonical JSON text. */
  readonly texts: string[];
  /** Each entry's {@link searchText}. */
  readonly searchTexts: string[];
}

/**
 * Decode entry lines (without their newlines) whose first ordinal is `from`. The result is the same for
 * every input as parsing each whole line, checking it with {@link parseEntry} and deriving the texts from
 * the parsed body; errors are the same too (ADR 0013). A body whose value has no JSON form (a number beyond
 * double range parses to ±Infinity) makes the segment invalid, on either path: ARTIFACT_INVALID naming the
 * entry and where in its body.
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
    texts[i] = bodyText(entries[i]!.body, ordinal, where);
  }
  return { entries, texts, searchTexts };
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

/**
 * A body's canonical text. A body with no JSON form cannot be stored, nor be the same on every replica: the
 * segment is damage (a faulty or hostile writer; cairn's own writer never writes one), ARTIFACT_INVALID.
 */
function bodyText(body: Json, ordinal: number, where: string): string {
  return canonicalizeOr(body, (at, why) => noJsonForm(where, `entry ${ordinal}: body`, at, why));
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
  if (scanCanonical(bodyText, parts)) return { entry, search: parts.join(' '), text: bodyText };
  if (jsonDepthExceeds(body, LIMITS.maxJsonDepth)) return null; // the general path reports it
  return { entry, search: searchText(body), text: undefined };
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

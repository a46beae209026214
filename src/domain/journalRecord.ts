import { BodyTexts } from './bodyTexts';
import { crc32 } from './crc32';
import { CairnError } from './errors';
import { canonicalize, canonicalizeOr, fromUtf8, isJsonObject, jsonDepthExceeds, type Json, type JsonObject } from './json';
import { LIMITS } from './limits';
import { isIsoUtc } from './time';
import type { StreamHeader } from './artifacts/manifest';

/**
 * The local journal holds acknowledged entries that are not sealed into segments yet. One file per stream,
 * one line per record: the stream header once (when the stream is new), then one line per append batch.
 * A batch is one line, so a torn write loses the whole unacknowledged batch and nothing else.
 */
export type JournalRecord =
  | JournalHeader
  | {
      readonly t: 'entries';
      readonly from: number;
      readonly ts: string;
      readonly bodies: readonly Json[];
      /** The bodies' canonical JSON, when the writer has it (each body is then encoded once); never stored. */
      readonly texts?: readonly string[];
    };

export interface JournalHeader {
  readonly t: 'header';
  readonly header: StreamHeader;
}

/** An entries record as read back: its bodies' canonical JSON, parsed only when asked (see ADR 0014). */
export interface StoredEntries {
  readonly t: 'entries';
  readonly from: number;
  readonly ts: string;
  readonly texts: BodyTexts;
}

/** A journal record as read back. */
export type StoredJournalRecord = JournalHeader | StoredEntries;

const OPEN = Buffer.from('{"bodies":[', 'latin1');
/** How a header line begins: its checksum is its first key (canonical keys sort crc < header < t). */
const HEADER_OPEN = Buffer.from('{"crc":', 'latin1');
/** Where the bodies end and the checksum begins: the last `],"crc":` of a line (nothing after it has one). */
const CRC_KEY = Buffer.from('],"crc":', 'latin1');

/**
 * One journal line (with its newline). An entries line is the canonical JSON of
 * `{bodies, crc, from, lens, t, ts}`: `lens` are the bodies' UTF-8 byte lengths, so a reader finds each body's
 * canonical text without parsing it, and `crc` is the CRC-32 of the line's bytes without its own digits and
 * the newline, so a damaged line is found before any of its texts is trusted (ADR 0014). A header line is the
 * canonical JSON of `{crc, header, t}`, its `crc` the same checksum: the header is sealed into the stream's
 * first manifest, so a damaged one must be found as surely as a damaged body.
 */
export function journalLine(record: JournalRecord): string {
  return journalBytes([record]).toString('utf8');
}

/**
 * The lines of records as UTF-8 (what an append writes, see {@link journalLine}): each body text is encoded
 * once, straight into the buffer, which gives its length.
 */
export function journalBytes(records: readonly JournalRecord[]): Buffer {
  const parts = records.map((r) => (r.t === 'header' ? headerLine(r) : (r.texts ?? r.bodies.map((body) => canonicalize(body)))));
  // A UTF-16 unit is at most 3 UTF-8 bytes; a line's own overhead is bounded by its tail (written as UTF-8 below).
  let capacity = 0;
  parts.forEach((p, k) => {
    if (typeof p === 'string') capacity += p.length * 3;
    else {
      capacity += OPEN.length + CRC_KEY.length + 10 + tailOf(records[k] as EntriesRecord, '').length * 3 + 1;
      for (const text of p) capacity += text.length * 3 + 1 + 17; // the text, its comma, its length in `lens`
    }
  });
  const out = Buffer.allocUnsafe(capacity);
  let at = 0;
  parts.forEach((p, k) => {
    if (typeof p === 'string') {
      at += out.write(p, at);
      return;
    }
    const start = at;
    out.set(OPEN, at);
    at += OPEN.length;
    let lens = '';
    for (let i = 0; i < p.length; i++) {
      if (i > 0) out[at++] = 0x2c;
      const n = out.write(p[i]!, at);
      at += n;
      lens += i > 0 ? `,${n}` : `${n}`;
    }
    // Canonical keys sort bodies < crc < from < lens < t < ts.
    out.set(CRC_KEY, at);
    at += CRC_KEY.length;
    const tail = tailOf(records[k] as EntriesRecord, lens);
    const crc = crc32(tail, crc32(out.subarray(start, at)));
    at += out.write(`${crc}${tail}\n`, at);
  });
  return out.subarray(0, at);
}

type EntriesRecord = Extract<JournalRecord, { t: 'entries' }>;

/** `{"crc":…,"header":…,"t":"header"}` and its newline. */
function headerLine(record: JournalHeader): string {
  const rest = `,"header":${canonicalize(record.header)},"t":"header"}`;
  return `${HEADER_OPEN.toString('latin1')}${crc32(rest, crc32(HEADER_OPEN))}${rest}\n`;
}

/** What follows an entries line's checksum: `,"from":…,"lens":[…],"t":"entries","ts":…}`. */
function tailOf(record: EntriesRecord, lens: string): string {
  return `,"from":${record.from},"lens":[${lens}],"t":"entries","ts":${JSON.stringify(record.ts)}}`;
}

/**
 * Read one line, `data[start, end)` without its newline. A checksummed entries line is verified and its body
 * texts are taken as they are; a line from a version before ADR 0014 (no checksum) is parsed and its bodies
 * encoded again, as export always did. A line that does not verify is STORE_CORRUPT.
 */
export function readJournalLine(data: Buffer, start: number, end: number, where: string): StoredJournalRecord {
  if (end - start > HEADER_OPEN.length && data.compare(HEADER_OPEN, 0, HEADER_OPEN.length, start, start + HEADER_OPEN.length) === 0) {
    return readCheckedHeader(data, start, end, where);
  }
  if (end - start > OPEN.length && data.compare(OPEN, 0, OPEN.length, start, start + OPEN.length) === 0) {
    const at = data.subarray(start, end).lastIndexOf(CRC_KEY);
    const checked = at >= OPEN.length ? readChecked(data, start, start + at, end, where) : null;
    if (checked) return checked;
  }
  let line: string;
  try {
    line = fromUtf8(data.subarray(start, end));
  } catch {
    throw corrupt(where, 'not UTF-8');
  }
  return readUnchecked(line, where);
}

/**
 * A line with a checksum: `data[start, bodiesEnd)` is `{"bodies":[…` and `],"crc":…` follows. Null when what
 * follows is not exactly what the writer writes: the line is then read as an older one (which refuses a line
 * that names a checksum), so an older line whose body happens to hold `],"crc":` is still read.
 */
function readChecked(data: Buffer, start: number, bodiesEnd: number, end: number, where: string): StoredEntries | null {
  let doc: unknown;
  const tailText = data.toString('latin1', bodiesEnd + 2, end);
  try {
    doc = JSON.parse(`{${tailText}`);
  } catch {
    return null;
  }
  if (!isJsonObject(doc)) return null;
  const { crc, from, lens, ts } = doc;
  if (
    !Number.isSafeInteger(crc) ||
    !Number.isSafeInteger(from) ||
    (from as number) < 0 ||
    !Array.isArray(lens) ||
    !lens.every((n) => Number.isSafeInteger(n) && n >= 0) ||
    !isIsoUtc(ts)
  ) {
    return null;
  }
  // Exactly what the writer writes (key order, numbers, no extra keys or spaces; ASCII only, so latin1 is exact).
  const digits = String(crc);
  const tail = `,"from":${from as number},"lens":[${lens.join(',')}],"t":"entries","ts":${JSON.stringify(ts)}}`;
  if (tailText !== `"crc":${digits}${tail}`) return null;
  const afterDigits = bodiesEnd + CRC_KEY.length + digits.length;
  const actual = crc32(data.subarray(afterDigits, end), crc32(data.subarray(start, bodiesEnd + CRC_KEY.length)));
  if (actual !== crc) throw corrupt(where, 'the checksum does not match (the line is damaged)');
  const texts = new BodyTexts();
  let pos = start + OPEN.length;
  for (let i = 0; i < lens.length; i++) {
    if (i > 0) {
      if (data[pos] !== 0x2c) throw corrupt(where, 'the body lengths do not match the bodies');
      pos++;
    }
    const next = pos + (lens[i] as number);
    if (next > bodiesEnd) throw corrupt(where, 'the body lengths do not match the bodies');
    texts.push(data, pos, next);
    pos = next;
  }
  if (pos !== bodiesEnd) throw corrupt(where, 'the body lengths do not match the bodies');
  return { t: 'entries', from: from as number, ts, texts };
}

/**
 * A header line with a checksum (`{"crc":` begins no other line): verified, then parsed. Every failure is
 * STORE_CORRUPT; a damaged `{"crc":` reads as an older line, which refuses the key it became.
 */
function readCheckedHeader(data: Buffer, start: number, end: number, where: string): JournalHeader {
  const from = start + HEADER_OPEN.length;
  let at = from;
  while (at < end && data[at]! >= 0x30 && data[at]! <= 0x39) at++;
  const digits = data.toString('latin1', from, at);
  if (!/^(?:0|[1-9][0-9]{0,9})$/.test(digits) || data[at] !== 0x2c) throw corrupt(where, 'bad stream header checksum');
  if (crc32(data.subarray(at, end), crc32(data.subarray(start, from))) !== Number(digits)) {
    throw corrupt(where, 'the checksum does not match (the line is damaged)');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(`{${fromUtf8(data.subarray(at + 1, end))}`);
  } catch {
    throw corrupt(where, 'not JSON');
  }
  if (!isJsonObject(doc) || doc.t !== 'header') throw corrupt(where, 'bad stream header');
  return headerOf(doc, where);
}

/** The header of a parsed header line, whose only keys may be `header` and `t` (a checksummed line's are verified). */
function headerOf(doc: Record<string, unknown>, where: string): JournalHeader {
  const h = doc.header;
  // A key no writer wrote: a checksummed line whose `crc` key was damaged, so it did not read as one.
  const unknown = Object.keys(doc).some((k) => k !== 'header' && k !== 't');
  if (unknown || !isJsonObject(h) || typeof h.kind !== 'string' || !isIsoUtc(h.createdAt) || !isJsonObject(h.attrs)) {
    throw corrupt(where, 'bad stream header');
  }
  canonicalizeOr(h.attrs, noJsonForm(where, 'the stream attributes'));
  return { t: 'header', header: { kind: h.kind, createdAt: h.createdAt, attrs: h.attrs as JsonObject } };
}

/** A header line or an entries line written before ADR 0014 (no checksum): parsed, its bodies encoded again. */
function readUnchecked(line: string, where: string): StoredJournalRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw corrupt(where, 'not JSON');
  }
  if (!isJsonObject(doc)) throw corrupt(where, 'not an object');
  if (doc.t === 'header') return headerOf(doc, where);
  if (doc.t === 'entries') {
    if (!Number.isSafeInteger(doc.from) || (doc.from as number) < 0 || !isIsoUtc(doc.ts) || !Array.isArray(doc.bodies)) {
      throw corrupt(where, 'bad entries record');
    }
    // A line that names a checksum but did not read as one is a damaged checksummed line.
    if ('crc' in doc || 'lens' in doc) throw corrupt(where, 'bad entries record');
    const bodies = doc.bodies as Json[];
    for (const body of bodies) {
      if (jsonDepthExceeds(body, LIMITS.maxJsonDepth)) throw corrupt(where, `a body nests deeper than ${LIMITS.maxJsonDepth}`);
    }
    return { t: 'entries', from: doc.from as number, ts: doc.ts, texts: BodyTexts.fromBodies(bodies, noJsonForm(where, 'a body')) };
  }
  throw corrupt(where, `unknown record type ${JSON.stringify(doc.t)}`);
}

/**
 * Check the bytes after a journal's last newline, `data[start, end)`, which a reader drops as a torn write:
 * STORE_CORRUPT when they are a whole line and one more byte. A torn write leaves a prefix of what it wrote,
 * and it writes a newline after every whole line, so such a tail is an acknowledged line whose newline was
 * damaged: dropping it (and cutting it off before the next append) would lose that line without a word.
 */
export function checkJournalTail(data: Buffer, start: number, end: number, where: string): void {
  if (end - start < 2) return;
  try {
    readJournalLine(data, start, end - 1, where);
  } catch {
    return; // not a whole line: torn
  }
  throw corrupt(where, 'its last line is whole but the byte after it is not a newline (the file is damaged)');
}

/** Append wrote every value canonical: one with no JSON form (a number beyond double range) is damage. */
function noJsonForm(where: string, what: string): (at: string, why: string) => CairnError {
  return (at, why) => corrupt(where, `${what} cannot be written as JSON${at ? ` at $${at}` : ''} (${why})`);
}

function corrupt(where: string, why: string): CairnError {
  return new CairnError('STORE_CORRUPT', `journal ${where}: ${why}; move the file aside and run \`cairn rebuild\``);
}

/** {@link readJournalLine} of one line held as a string (without its newline). */
export function parseJournalLine(line: string, where: string): StoredJournalRecord {
  const data = Buffer.from(line, 'utf8');
  return readJournalLine(data, 0, data.length, where);
}

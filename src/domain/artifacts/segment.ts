import { CairnError } from '../errors';
import { sha256Hex, isContentHash, type ContentHash } from '../hash';
import { isOriginId, isStreamId, type OriginId, type StreamId } from '../ids';
import { canonicalize, fromUtf8, isJsonObject } from '../json';
import { LIMITS } from '../limits';
import { collectBlobRefs, sortedBlobRefs, type BlobRef } from './blobRef';
import type { BodyTexts } from '../bodyTexts';
import { entryLine, entryTooLarge, parseEntry, type Entry } from './entry';
import { checkVersionAndKind, FORMAT_VERSION, invalidArtifact, requireNonNegativeInt } from './format';

/**
 * A segment: NDJSON of a run of entries `[from, to)` of one stream. Line 1 is the header; each further
 * line is one entry. Identity is the SHA-256 of these canonical bytes; zstd is only their encoding.
 */
export interface SegmentHeader {
  readonly v: number;
  readonly kind: 'segment';
  readonly origin: OriginId;
  readonly stream: StreamId;
  readonly from: number;
  readonly to: number;
  readonly blobs: readonly BlobRef[];
}

export interface EncodedSegment {
  readonly header: SegmentHeader;
  readonly bytes: Uint8Array;
  readonly hash: ContentHash;
}

export interface DecodedSegment {
  readonly header: SegmentHeader;
  readonly entries: readonly Entry[];
}

function headerLine(h: Omit<SegmentHeader, 'v' | 'kind'>): string {
  const doc: Record<string, unknown> = {
    from: h.from,
    kind: 'segment',
    origin: h.origin,
    stream: h.stream,
    to: h.to,
    v: FORMAT_VERSION,
  };
  if (h.blobs.length > 0) doc.blobs = h.blobs.map((b) => ({ hash: b.hash, size: b.size }));
  return `${canonicalize(doc)}\n`;
}

/** Encode entries (dense ordinals) as one segment. */
export function encodeSegment(origin: OriginId, stream: StreamId, entries: readonly Entry[], lines?: readonly string[]): EncodedSegment {
  const refs = new Map<string, BlobRef>();
  for (const e of entries) collectBlobRefs(e.body, refs);
  const text = lines ?? entries.map(entryLine);
  let bytes = 0;
  for (const line of text) bytes += Buffer.byteLength(line);
  return seal(origin, stream, entries, 0, entries.length, refs, bytes, (out, off, i) => off + out.write(text[i]!, off));
}

/** Writes the `i`-th line of a run at `off` into `out`; returns the offset after it. */
type WriteLine = (out: Buffer, off: number, i: number) => number;

/**
 * One segment of `entries[first, first + count)`, whose lines add up to `lineBytes` bytes: the header, then
 * each line written straight into one buffer (no joined copy of the segment as a string).
 */
function seal(
  origin: OriginId,
  stream: StreamId,
  entries: readonly Entry[],
  first: number,
  count: number,
  refs: Map<string, BlobRef>,
  lineBytes: number,
  write: WriteLine,
): EncodedSegment {
  if (count === 0) throw new CairnError('INTERNAL', 'a segment needs at least one entry');
  const from = entries[first]!.ordinal;
  for (let i = 0; i < count; i++) {
    const e = entries[first + i]!;
    if (e.ordinal !== from + i) throw new CairnError('INTERNAL', `segment ordinals must be dense: ${e.ordinal} at ${i}`);
  }
  const header: SegmentHeader = {
    v: FORMAT_VERSION,
    kind: 'segment',
    origin,
    stream,
    from,
    to: from + count,
    blobs: sortedBlobRefs(refs),
  };
  const head = headerLine(header);
  const total = Buffer.byteLength(head) + lineBytes;
  if (total > LIMITS.maxSegmentBytes) {
    throw new CairnError(
      'SEGMENT_TOO_LARGE',
      `segment of ${origin}~${stream} [${from}, ${header.to}) is ${total} bytes, over the ` +
        `${LIMITS.maxSegmentBytes}-byte limit: split the entries into smaller runs`,
    );
  }
  const bytes = Buffer.allocUnsafe(total);
  let off = bytes.write(head, 0);
  for (let i = 0; i < count; i++) off = write(bytes, off, first + i);
  if (off !== total) throw new CairnError('INTERNAL', `segment of ${origin}~${stream} came out ${off} bytes, not ${total}`);
  return { header, bytes, hash: sha256Hex(bytes) };
}

const BODY_OPEN = Buffer.from('{"body":', 'latin1');
const ORDINAL_KEY = Buffer.from(',"ordinal":', 'latin1');
const NO_REFS: ReadonlyMap<string, BlobRef> = new Map();

/**
 * Split entries into segments bounded by entry count and byte size, one at a time (a caller publishes each
 * before the next is built, so memory holds one segment). Pure.
 * Header overhead is reserved so every segment stays under the limit.
 * With `texts` (each body's canonical JSON, same order: the journal's, ADR 0014) each line is written from the
 * text's bytes, and a body is parsed only when its text may hold a `$blob` key; the bytes are those of
 * {@link entryLine}.
 */
export function* planSegments(origin: OriginId, stream: StreamId, entries: readonly Entry[], texts?: BodyTexts): Generator<EncodedSegment> {
  if (texts && texts.length !== entries.length) throw new CairnError('INTERNAL', `${entries.length} entries but ${texts.length} body texts`);
  // The header's fixed part is under 512 bytes; its blob list grows with the distinct blobs of the run.
  const budget = LIMITS.maxSegmentBytes - 512;
  const lines: string[] = []; // without texts: the run's lines
  let first = 0;
  let lineBytes = 0;
  let used = 0; // lines and blob references
  let refs = new Map<string, BlobRef>();
  const tsPart = texts ? new TsPart() : null;
  const write: WriteLine = texts
    ? (out, off, i) => {
        let at = off + BODY_OPEN.copy(out, off);
        at += texts.copy(i, out, at);
        at += ORDINAL_KEY.copy(out, at);
        at = writeDigits(out, at, entries[i]!.ordinal);
        return at + tsPart!.of(entries[i]!.ts).copy(out, at);
      }
    : (out, off, i) => off + out.write(lines[i - first]!, off);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    let own: ReadonlyMap<string, BlobRef> = NO_REFS;
    let size: number;
    if (texts) {
      if (!Number.isSafeInteger(e.ordinal) || e.ordinal < 0) throw new CairnError('INTERNAL', `bad ordinal ${e.ordinal}`);
      size = BODY_OPEN.length + texts.byteLength(i) + ORDINAL_KEY.length + digitCount(e.ordinal) + tsPart!.of(e.ts).length;
      if (size > LIMITS.maxEntryBytes) throw entryTooLarge(e.ordinal, size);
      if (texts.mayReferenceBlobs(i)) collectBlobRefs(e.body, (own = new Map()) as Map<string, BlobRef>);
    } else {
      const line = entryLine(e);
      size = Buffer.byteLength(line);
      collectBlobRefs(e.body, (own = new Map()) as Map<string, BlobRef>);
      lines.push(line);
    }
    if (i > first && (i - first >= LIMITS.maxSegmentEntries || used + size + newRefBytes(own, refs) > budget)) {
      yield seal(origin, stream, entries, first, i - first, refs, lineBytes, write);
      if (!texts) lines.splice(0, i - first);
      first = i;
      lineBytes = 0;
      used = 0;
      refs = new Map();
    }
    used += size + newRefBytes(own, refs);
    lineBytes += size;
    for (const [hash, r] of own) refs.set(hash, r);
  }
  if (entries.length > first) yield seal(origin, stream, entries, first, entries.length - first, refs, lineBytes, write);
}

/** `,"ts":"…"}\n` as bytes, for the last ts asked (a journal record's entries share one). */
class TsPart {
  private ts: string | null = null;
  private bytes = Buffer.alloc(0);
  of(ts: string): Buffer {
    if (ts !== this.ts) {
      this.ts = ts;
      this.bytes = Buffer.from(`,"ts":${JSON.stringify(ts)}}\n`, 'utf8');
    }
    return this.bytes;
  }
}

/** Decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  return digits;
}

/** Write a non-negative safe integer in decimal (as JSON writes it) at `at`; returns the offset after it. */
function writeDigits(out: Buffer, at: number, n: number): number {
  const end = at + digitCount(n);
  let x = n;
  for (let p = end - 1; p >= at; p--) {
    out[p] = 0x30 + (x % 10);
    x = Math.floor(x / 10);
  }
  return end;
}

/** Header bytes the blobs of `own` add to a run that already lists `known`. */
function newRefBytes(own: ReadonlyMap<string, BlobRef>, known: ReadonlyMap<string, BlobRef>): number {
  let n = 0;
  for (const r of own.values()) if (!known.has(r.hash)) n += refLineBytes(r);
  return n;
}

/** Bytes one blob reference adds to a segment header: `{"hash":"…","size":n},`. */
function refLineBytes(ref: BlobRef): number {
  return 64 + 20 + String(ref.size).length;
}

/** Parse only the header line of a segment's canonical bytes (for its blob list), without the entries. */
export function segmentHeaderBlobs(bytes: Uint8Array, where: string): BlobRef[] {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) throw invalidArtifact(where, 'no header line');
  let head: unknown;
  try {
    head = JSON.parse(fromUtf8(bytes.subarray(0, nl)));
  } catch {
    throw invalidArtifact(where, 'the header line is not JSON');
  }
  if (!isJsonObject(head)) throw invalidArtifact(where, 'the first line must be the header object');
  return parseBlobList(head.blobs, where);
}

export interface SegmentExpectation {
  readonly hash: ContentHash;
  readonly origin: OriginId;
  readonly stream?: StreamId;
  readonly from?: number;
  readonly to?: number;
}

/** Verify and decode a segment's canonical bytes: hash, header, origin, dense ordinals, entry shapes. */
export function decodeSegment(bytes: Uint8Array, expect: SegmentExpectation): DecodedSegment {
  const where = `segment ${expect.hash.slice(0, 12)} of ${expect.origin}`;
  const { header, text } = envelope(bytes, expect, where);
  const lines = text.slice(0, -1).split('\n');
  const entries = lines.slice(1).map((line, i) => {
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw invalidArtifact(where, `line ${i + 2} is not JSON`);
    }
    return parseEntry(doc, header.from + i, where);
  });
  return { header, entries };
}

/**
 * Verify a segment without parsing its entries: the hash, the header (kind, version, origin, stream, range,
 * blobs) and that it holds exactly `to - from` lines. Enough to store and relay it; import decodes it whole.
 */
export function verifySegmentEnvelope(bytes: Uint8Array, expect: SegmentExpectation): SegmentHeader {
  return envelope(bytes, expect, `segment ${expect.hash.slice(0, 12)} of ${expect.origin}`).header;
}

function envelope(bytes: Uint8Array, expect: SegmentExpectation, where: string): { header: SegmentHeader; text: string } {
  const actual = sha256Hex(bytes);
  if (actual !== expect.hash) {
    throw new CairnError('HASH_MISMATCH', `${where}: content hashes to ${actual.slice(0, 12)}, not its name`);
  }
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw invalidArtifact(where, 'not valid UTF-8');
  }
  if (!text.endsWith('\n')) throw invalidArtifact(where, 'NDJSON must end with a newline');
  const nl = text.indexOf('\n');
  let head: unknown;
  try {
    head = JSON.parse(text.slice(0, nl));
  } catch {
    throw invalidArtifact(where, 'line 1 is not JSON');
  }
  if (!isJsonObject(head)) throw invalidArtifact(where, 'the first line must be the header object');
  checkVersionAndKind(head, 'segment', where);
  const from = requireNonNegativeInt(head, 'from', where);
  const to = requireNonNegativeInt(head, 'to', where);
  if (head.origin !== expect.origin || !isOriginId(head.origin as string)) {
    throw invalidArtifact(where, `header names origin ${JSON.stringify(head.origin)}`);
  }
  if (typeof head.stream !== 'string' || !isStreamId(head.stream)) {
    throw invalidArtifact(where, `bad stream id ${JSON.stringify(head.stream)}`);
  }
  if (expect.stream !== undefined && head.stream !== expect.stream) {
    throw invalidArtifact(where, `belongs to stream ${head.stream}, expected ${expect.stream}`);
  }
  if ((expect.from !== undefined && from !== expect.from) || (expect.to !== undefined && to !== expect.to)) {
    throw invalidArtifact(where, `covers [${from}, ${to}), expected [${expect.from}, ${expect.to})`);
  }
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (to - from !== lines - 1 || to <= from) {
    throw invalidArtifact(where, `header says [${from}, ${to}) but holds ${lines - 1} entries`);
  }
  const blobs = parseBlobList(head.blobs, where);
  return { header: { v: head.v as number, kind: 'segment', origin: expect.origin, stream: head.stream, from, to, blobs }, text };
}

function parseBlobList(value: unknown, where: string): BlobRef[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidArtifact(where, '"blobs" must be a list');
  return value.map((b) => {
    if (!isJsonObject(b) || !isContentHash(b.hash) || !Number.isSafeInteger(b.size) || (b.size as number) < 0) {
      throw invalidArtifact(where, `bad blob reference ${JSON.stringify(b)}`);
    }
    return { hash: b.hash, size: b.size as number };
  });
}

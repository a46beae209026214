import { CairnError } from '../errors';
import type { BodyTexts } from '../bodyTexts';
import { sha256Hex } from '../hash';
import type { OriginId, StreamId } from '../ids';
import { LIMITS } from '../limits';
import { collectBlobRefs, sortedBlobRefs, type BlobRef } from './blobRef';
import { entryLine, entryTooLarge, type Entry } from './entry';
import { FORMAT_VERSION } from './format';
import { segmentHeaderLine, type EncodedSegment, type SegmentHeader } from './segment';

/** Encode entries (dense ordinals) as one segment. */
export function encodeSegment(origin: OriginId, stream: StreamId, entries: readonly Entry[], lines?: readonly string[]): EncodedSegment {
  const text = lines ?? entries.map(entryLine); // first: it refuses a body too deep to walk
  const refs = new Map<string, BlobRef>();
  for (const e of entries) collectBlobRefs(e.body, refs);
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
  const head = segmentHeaderLine(header);
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
        out.set(BODY_OPEN, off);
        let at = off + BODY_OPEN.length;
        at += texts.copy(i, out, at);
        out.set(ORDINAL_KEY, at);
        at = writeDigits(out, at + ORDINAL_KEY.length, entries[i]!.ordinal);
        const tail = tsPart!.of(entries[i]!.ts);
        out.set(tail, at);
        return at + tail.length;
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
    if (own.size > 0) for (const [hash, r] of own) refs.set(hash, r);
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
  if (own.size === 0) return 0; // most bodies: no iterator to allocate
  for (const r of own.values()) if (!known.has(r.hash)) n += refLineBytes(r);
  return n;
}

/** Bytes one blob reference adds to a segment header: `{"hash":"…","size":n},`. */
function refLineBytes(ref: BlobRef): number {
  return 64 + 20 + String(ref.size).length;
}

import { isUtf8 } from 'node:buffer';
import { CairnError } from '../errors';
import { sha256Hex, isContentHash, type ContentHash } from '../hash';
import { isOriginId, isStreamId, type OriginId, type StreamId } from '../ids';
import { canonicalize, fromUtf8, isJsonObject } from '../json';
import type { BlobRef } from './blobRef';
import type { Entry } from './entry';
import { decodeEntryLines } from './entryLines';
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
  /** Each body's canonical JSON text, in order. */
  readonly texts: readonly string[];
  /** Each entry's search text, in order. */
  readonly searchTexts: readonly string[];
}

/** The header line of a segment (with its newline). */
export function segmentHeaderLine(h: Omit<SegmentHeader, 'v' | 'kind'>): string {
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

/**
 * Verify and decode a segment's canonical bytes: hash, header, origin, dense ordinals, entry shapes, and that
 * every body has a JSON form (see {@link decodeEntryLines}).
 */
export function decodeSegment(bytes: Uint8Array, expect: SegmentExpectation): DecodedSegment {
  const where = `segment ${expect.hash.slice(0, 12)} of ${expect.origin}`;
  const { header, text } = segmentEnvelope(bytes, expect, where, true);
  const lines = text!.slice(0, -1).split('\n');
  lines.shift(); // the header
  return { header, ...decodeEntryLines(lines, header.from, where) };
}

/**
 * Verify a segment without parsing its entries: the hash, the header (kind, version, origin, stream, range,
 * blobs) and that it holds exactly `to - from` lines. Enough to store and relay it; import decodes it whole.
 */
export function verifySegmentEnvelope(bytes: Uint8Array, expect: SegmentExpectation): SegmentHeader {
  return segmentEnvelope(bytes, expect, `segment ${expect.hash.slice(0, 12)} of ${expect.origin}`, false).header;
}

/**
 * Hash, UTF-8, final newline, header and line count. Decoding the text is only done when asked (import);
 * verifying alone (pull, relay) checks the same on the bytes: UTF-8 validity without building a string, and
 * newlines counted as bytes (0x0a never occurs inside a multi-byte UTF-8 sequence). Both ways give the same
 * header or the same error for any bytes (exported for that property test).
 */
export function segmentEnvelope(bytes: Uint8Array, expect: SegmentExpectation, where: string, decode: boolean): { header: SegmentHeader; text: string | undefined } {
  const actual = sha256Hex(bytes);
  if (actual !== expect.hash) {
    throw new CairnError('HASH_MISMATCH', `${where}: content hashes to ${actual.slice(0, 12)}, not its name`);
  }
  let text: string | undefined;
  let headText: string;
  let lines = 0;
  if (decode) {
    try {
      text = fromUtf8(bytes);
    } catch {
      throw invalidArtifact(where, 'not valid UTF-8');
    }
    if (!text.endsWith('\n')) throw invalidArtifact(where, 'NDJSON must end with a newline');
    headText = text.slice(0, text.indexOf('\n'));
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  } else {
    if (!isUtf8(bytes)) throw invalidArtifact(where, 'not valid UTF-8');
    if (bytes[bytes.length - 1] !== 0x0a) throw invalidArtifact(where, 'NDJSON must end with a newline');
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    headText = fromUtf8(buf.subarray(0, buf.indexOf(0x0a)));
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) lines++;
  }
  let head: unknown;
  try {
    head = JSON.parse(headText);
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

import { CairnError } from '../errors';
import { isContentHash, sha256Hex, type ContentHash } from '../hash';
import { isStreamId, type OriginId, type StreamId } from '../ids';
import { canonicalBytes, canonicalizeOr, isJsonObject, type JsonObject } from '../json';
import { isIsoUtc } from '../time';
import { checkVersionAndKind, FORMAT_VERSION, invalidArtifact, noJsonForm, parseJsonDocument, requireNonNegativeInt } from './format';

/** A stream's header: fixed when the stream is created. */
export interface StreamHeader {
  readonly kind: string;
  readonly createdAt: string;
  readonly attrs: JsonObject;
}

/** A segment as a manifest lists it: enough to fetch, size-check and verify it before decoding. */
export interface SegmentDescriptor {
  readonly hash: ContentHash;
  readonly from: number;
  readonly to: number;
  /** Canonical (uncompressed) size in bytes. */
  readonly bytes: number;
}

/** One stream's header and its ordered segment list. A new export appends to the list; old segments stay. */
export interface Manifest {
  readonly v: number;
  readonly kind: 'manifest';
  readonly origin: OriginId;
  readonly stream: StreamId;
  readonly header: StreamHeader;
  readonly entries: number;
  readonly segments: readonly SegmentDescriptor[];
}

export function buildManifest(
  origin: OriginId,
  stream: StreamId,
  header: StreamHeader,
  segments: readonly SegmentDescriptor[],
): Manifest {
  let next = 0;
  for (const s of segments) {
    if (s.from !== next || s.to <= s.from) throw new CairnError('INTERNAL', `segments of ${stream} are not contiguous at ${s.from}`);
    next = s.to;
  }
  return { v: FORMAT_VERSION, kind: 'manifest', origin, stream, header, entries: next, segments };
}

export function encodeManifest(m: Manifest): { bytes: Uint8Array; hash: ContentHash } {
  const bytes = canonicalBytes({
    entries: m.entries,
    header: { attrs: m.header.attrs, createdAt: m.header.createdAt, kind: m.header.kind },
    kind: 'manifest',
    origin: m.origin,
    segments: m.segments.map((s) => ({ bytes: s.bytes, from: s.from, hash: s.hash, to: s.to })),
    stream: m.stream,
    v: FORMAT_VERSION,
  });
  return { bytes, hash: sha256Hex(bytes) };
}

export function decodeManifest(bytes: Uint8Array, expect: { hash: ContentHash; origin: OriginId }): Manifest {
  const where = `manifest ${expect.hash.slice(0, 12)} of ${expect.origin}`;
  const actual = sha256Hex(bytes);
  if (actual !== expect.hash) {
    throw new CairnError('HASH_MISMATCH', `${where}: content hashes to ${actual.slice(0, 12)}, not its name`);
  }
  const doc = parseJsonDocument(bytes, where);
  checkVersionAndKind(doc, 'manifest', where);
  if (doc.origin !== expect.origin) throw invalidArtifact(where, `names origin ${JSON.stringify(doc.origin)}`);
  if (typeof doc.stream !== 'string' || !isStreamId(doc.stream)) {
    throw invalidArtifact(where, `bad stream id ${JSON.stringify(doc.stream)}`);
  }
  const header = doc.header;
  if (!isJsonObject(header) || typeof header.kind !== 'string' || !isIsoUtc(header.createdAt) || !isJsonObject(header.attrs)) {
    throw invalidArtifact(where, 'bad stream header');
  }
  canonicalizeOr(header.attrs, (at, why) => noJsonForm(where, 'header.attrs', at, why)); // the read model stores them canonical
  const entries = requireNonNegativeInt(doc, 'entries', where);
  if (!Array.isArray(doc.segments)) throw invalidArtifact(where, '"segments" must be a list');
  let next = 0;
  const segments = doc.segments.map((s: unknown, i: number): SegmentDescriptor => {
    if (!isJsonObject(s) || !isContentHash(s.hash)) throw invalidArtifact(where, `segment ${i} is malformed`);
    const from = requireNonNegativeInt(s, 'from', where);
    const to = requireNonNegativeInt(s, 'to', where);
    const size = requireNonNegativeInt(s, 'bytes', where);
    if (from !== next || to <= from) throw invalidArtifact(where, `segment ${i} covers [${from}, ${to}), expected to start at ${next}`);
    next = to;
    return { hash: s.hash, from, to, bytes: size };
  });
  if (next !== entries) throw invalidArtifact(where, `segments cover ${next} entries but the manifest says ${entries}`);
  return {
    v: doc.v as number,
    kind: 'manifest',
    origin: expect.origin,
    stream: doc.stream,
    header: { kind: header.kind, createdAt: header.createdAt as string, attrs: header.attrs as JsonObject },
    entries,
    segments,
  };
}

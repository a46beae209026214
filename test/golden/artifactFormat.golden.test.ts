import {
  blobRef,
  buildManifest,
  canonicalBytes,
  decodeCheckpoint,
  decodeManifest,
  decodeSegment,
  encodeCheckpoint,
  encodeManifest,
  encodeSegment,
  nextCheckpoint,
  parseOriginId,
  parseStreamId,
  sha256Hex,
  artifactPath,
} from '../../src/domain';

// Format v1 is a forever contract: these bytes and hashes must never change. If this test fails, the change
// broke compatibility with every existing store; write a new format version instead.
const origin = parseOriginId('laptop-1a2b3c');
const stream = parseStreamId('notes');
const blob = new TextEncoder().encode('hello blob\n');
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

const BLOB_HASH = 'a0639d03e7e77d7630dffce7bfe26d51813d4c799f13821e5b6786e2736baaed';
const SEGMENT_BYTES =
  '{"blobs":[{"hash":"a0639d03e7e77d7630dffce7bfe26d51813d4c799f13821e5b6786e2736baaed","size":11}],"from":0,"kind":"segment","origin":"laptop-1a2b3c","stream":"notes","to":3,"v":1}\n' +
  '{"body":{"tags":["a","b"],"text":"first entry"},"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}\n' +
  '{"body":{"file":{"$blob":"a0639d03e7e77d7630dffce7bfe26d51813d4c799f13821e5b6786e2736baaed","size":11},"text":"with a blob"},"ordinal":1,"ts":"2026-11-22T10:00:01.000Z"}\n' +
  '{"body":"just a string ünïcødé","ordinal":2,"ts":"2026-11-22T10:00:02.000Z"}\n';
const SEGMENT_HASH = '3d8f3734c7c20896b315f652876c3d286a94300e9acb2436461cd8d899ddee67';
const MANIFEST_BYTES =
  '{"entries":3,"header":{"attrs":{"color":"green"},"createdAt":"2026-11-22T10:00:00.000Z","kind":"notes"},"kind":"manifest","origin":"laptop-1a2b3c","segments":[{"bytes":523,"from":0,"hash":"3d8f3734c7c20896b315f652876c3d286a94300e9acb2436461cd8d899ddee67","to":3}],"stream":"notes","v":1}\n';
const MANIFEST_HASH = 'c8a6f8cd58247325d5eba02ae04bd96131ff690d935f27c77e5ecdd0e07699f0';
const CHECKPOINT_BYTES =
  '{"full":true,"kind":"checkpoint","origin":"laptop-1a2b3c","prev":null,"publishedAt":"2026-11-22T10:05:00.000Z","seq":1,"streams":{"notes":"c8a6f8cd58247325d5eba02ae04bd96131ff690d935f27c77e5ecdd0e07699f0"},"v":1}\n';
const CHECKPOINT_HASH = '14135e48b127f2a0a336902b51b6c2fd88d56e921c37c557d78aba8ab447cb24';

describe('artifact format v1 (golden)', () => {
  const seg = encodeSegment(origin, stream, [
    { ordinal: 0, ts: '2026-11-22T10:00:00.000Z', body: { text: 'first entry', tags: ['a', 'b'] } },
    { ordinal: 1, ts: '2026-11-22T10:00:01.000Z', body: { text: 'with a blob', file: blobRef(sha256Hex(blob), blob.length) } },
    { ordinal: 2, ts: '2026-11-22T10:00:02.000Z', body: 'just a string ünïcødé' },
  ]);
  const manifest = encodeManifest(
    buildManifest(origin, stream, { kind: 'notes', createdAt: '2026-11-22T10:00:00.000Z', attrs: { color: 'green' } }, [
      { hash: seg.hash, from: 0, to: 3, bytes: seg.bytes.length },
    ]),
  );
  const checkpoint = encodeCheckpoint(nextCheckpoint(origin, null, new Map([[stream, manifest.hash]]), '2026-11-22T10:05:00.000Z'));

  it('pins a blob: raw bytes, named by their SHA-256', () => {
    expect(sha256Hex(blob)).toBe(BLOB_HASH);
    expect(artifactPath({ kind: 'blob', hash: sha256Hex(blob) })).toBe(`blobs/${BLOB_HASH}`);
  });

  it('pins a segment: header line, then one canonical line per entry', () => {
    expect(text(seg.bytes)).toBe(SEGMENT_BYTES);
    expect(seg.hash).toBe(SEGMENT_HASH);
    expect(sha256Hex(seg.bytes)).toBe(SEGMENT_HASH);
    expect(artifactPath({ kind: 'segment', hash: seg.hash })).toBe(`segments/${SEGMENT_HASH}.ndjson.zst`);
  });

  it('pins a manifest', () => {
    expect(text(manifest.bytes)).toBe(MANIFEST_BYTES);
    expect(manifest.hash).toBe(MANIFEST_HASH);
    expect(artifactPath({ kind: 'manifest', hash: manifest.hash })).toBe(`manifests/${MANIFEST_HASH}.json.zst`);
  });

  it('pins a checkpoint', () => {
    expect(text(checkpoint.bytes)).toBe(CHECKPOINT_BYTES);
    expect(checkpoint.hash).toBe(CHECKPOINT_HASH);
    expect(artifactPath({ kind: 'checkpoint', seq: 1 })).toBe('checkpoints/cp-0000000001.json');
  });

  it('pins canonical JSON: sorted keys, no whitespace, one trailing newline', () => {
    expect(text(canonicalBytes({ b: 1, a: [true, null, 1.5e-7, 'x'], é: { z: -0 } }))).toBe('{"a":[true,null,1.5e-7,"x"],"b":1,"é":{"z":0}}\n');
  });

  it('decodes the pinned bytes back', () => {
    const enc = new TextEncoder();
    const decoded = decodeSegment(enc.encode(SEGMENT_BYTES), { hash: SEGMENT_HASH as never, origin });
    expect(decoded.entries.map((e) => e.ordinal)).toEqual([0, 1, 2]);
    expect(decoded.header.blobs).toEqual([{ hash: BLOB_HASH, size: 11 }]);
    expect(decodeManifest(enc.encode(MANIFEST_BYTES), { hash: MANIFEST_HASH as never, origin }).segments[0]!.hash).toBe(SEGMENT_HASH);
    expect(decodeCheckpoint(enc.encode(CHECKPOINT_BYTES), { origin, seq: 1 }).streams).toEqual({ notes: MANIFEST_HASH });
  });

  it('ignores unknown fields, and identity stays the hash of the bytes as received', () => {
    const withExtra = MANIFEST_BYTES.replace('"entries":3', '"entries":3,"future":{"x":1}');
    const bytes = new TextEncoder().encode(withExtra);
    const m = decodeManifest(bytes, { hash: sha256Hex(bytes), origin });
    expect(m.entries).toBe(3);
    expect(sha256Hex(bytes)).not.toBe(MANIFEST_HASH);
  });
});

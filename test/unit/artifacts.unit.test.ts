import {
  buildManifest,
  decodeCheckpoint,
  decodeManifest,
  decodeMetaEvent,
  decodeSegment,
  encodeCheckpoint,
  encodeManifest,
  encodeMetaEvent,
  encodeSegment,
  LIMITS,
  nextCheckpoint,
  parseArtifactPath,
  parseOriginId,
  parseStreamId,
  planSegments,
  resolveCheckpointChain,
  sha256Hex,
  SNAPSHOT_INTERVAL,
  type ContentHash,
  type Entry,
} from '../../src/domain';
import { expectCode } from '../../src/testing';

const origin = parseOriginId('desk-000001');
const stream = parseStreamId('notes');
const ts = '2026-11-22T10:00:00.000Z';
const entries = (from: number, n: number, size = 10): Entry[] =>
  Array.from({ length: n }, (_, i) => ({ ordinal: from + i, ts, body: { text: 'x'.repeat(size), i: from + i } }));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('segments', () => {
  it('round-trips entries', () => {
    const seg = encodeSegment(origin, stream, entries(5, 3));
    const decoded = decodeSegment(seg.bytes, { hash: seg.hash, origin, stream, from: 5, to: 8 });
    expect(decoded.entries).toEqual(entries(5, 3));
  });

  it('splits a run at the entry-count limit and keeps ordinals dense across segments', () => {
    const segs = [...planSegments(origin, stream, entries(0, LIMITS.maxSegmentEntries * 2 + 1))];
    expect(segs.map((s) => [s.header.from, s.header.to])).toEqual([
      [0, LIMITS.maxSegmentEntries],
      [LIMITS.maxSegmentEntries, 2 * LIMITS.maxSegmentEntries],
      [2 * LIMITS.maxSegmentEntries, 2 * LIMITS.maxSegmentEntries + 1],
    ]);
  });

  it('splits a run at the byte limit', () => {
    const segs = [...planSegments(origin, stream, entries(0, 40, 200_000))];
    expect(segs.length).toBeGreaterThan(1);
    for (const s of segs) expect(s.bytes.length).toBeLessThanOrEqual(LIMITS.maxSegmentBytes);
  });

  it('refuses an entry over the size limit', async () => {
    await expectCode(() => encodeSegment(origin, stream, entries(0, 1, LIMITS.maxEntryBytes)), 'ENTRY_TOO_LARGE');
  });

  it('detects every kind of damage', async () => {
    const seg = encodeSegment(origin, stream, entries(0, 3));
    const text = Buffer.from(seg.bytes).toString();
    const expectFor = (bytes: Uint8Array) => ({ hash: sha256Hex(bytes), origin });
    await expectCode(() => decodeSegment(seg.bytes, { hash: '0'.repeat(64) as ContentHash, origin }), 'HASH_MISMATCH');
    await expectCode(() => decodeSegment(seg.bytes, { hash: seg.hash, origin: parseOriginId('other-000002') }), 'ARTIFACT_INVALID');
    const cases = [
      text.slice(0, -1), // no final newline
      text.replace('"ordinal":1', '"ordinal":7'), // ordinal gap
      text.replace('"to":3', '"to":4'), // count mismatch
      text.replace(ts, 'yesterday'), // bad ts
      `${text}{"not json\n`,
      text.replace('"kind":"segment"', '"kind":"manifest"'),
    ];
    for (const c of cases) await expectCode(() => decodeSegment(enc(c), expectFor(enc(c))), 'ARTIFACT_INVALID');
    const future = enc(text.replace('"v":1', '"v":2'));
    await expectCode(() => decodeSegment(future, expectFor(future)), 'VERSION_UNSUPPORTED');
  });
});

describe('manifests', () => {
  const seg = encodeSegment(origin, stream, entries(0, 3));
  const manifest = buildManifest(origin, stream, { kind: 'log', createdAt: ts, attrs: {} }, [{ hash: seg.hash, from: 0, to: 3, bytes: seg.bytes.length }]);

  it('round-trips', () => {
    const { bytes, hash } = encodeManifest(manifest);
    expect(decodeManifest(bytes, { hash, origin })).toEqual(manifest);
  });

  it('refuses segments that do not tile [0, entries)', async () => {
    const { bytes } = encodeManifest(manifest);
    const bad = enc(Buffer.from(bytes).toString().replace('"entries":3', '"entries":4'));
    await expectCode(() => decodeManifest(bad, { hash: sha256Hex(bad), origin }), 'ARTIFACT_INVALID');
  });

  it('refuses stream attributes with no JSON form (a number beyond double range), naming where', async () => {
    const { bytes } = encodeManifest(buildManifest(origin, stream, { kind: 'log', createdAt: ts, attrs: { a: [1] } }, manifest.segments));
    const bad = enc(Buffer.from(bytes).toString().replace('"a":[1]', '"a":[1,-1e400]'));
    const hash = sha256Hex(bad);
    await expectCode(() => decodeManifest(bad, { hash, origin }), 'ARTIFACT_INVALID');
    expect(() => decodeManifest(bad, { hash, origin })).toThrow(
      `manifest ${hash.slice(0, 12)} of ${origin}: header.attrs.a[1]: the number -Infinity has no JSON form (a number beyond the range of a double, such as 1e400, reads as ±Infinity)`,
    );
    const future = enc(Buffer.from(bad).toString().replace('"v":1', '"v":2'));
    await expectCode(() => decodeManifest(future, { hash: sha256Hex(future), origin }), 'VERSION_UNSUPPORTED'); // kept for an upgrade
  });
});

describe('metadata events', () => {
  it('refuse a value with no JSON form (a number beyond double range), unknown ops too, naming where', async () => {
    const { bytes } = encodeMetaEvent({ hlc: '00001795348800000000.000000', origin, target: { stream: `${origin}~notes` as never }, op: 'frob', field: 'mood', value: { n: 1 } });
    const bad = enc(Buffer.from(bytes).toString().replace('"n":1', '"n":1e400'));
    const hash = sha256Hex(bad);
    await expectCode(() => decodeMetaEvent(bad, { origin, hash }), 'ARTIFACT_INVALID');
    expect(() => decodeMetaEvent(bad, { origin, hash })).toThrow(
      `metadata event ${hash.slice(0, 12)} of ${origin}: value.n: the number Infinity has no JSON form (a number beyond the range of a double, such as 1e400, reads as ±Infinity)`,
    );
    const future = enc(Buffer.from(bad).toString().replace('"v":1', '"v":2'));
    await expectCode(() => decodeMetaEvent(future, { origin, hash: sha256Hex(future) }), 'VERSION_UNSUPPORTED'); // kept for an upgrade
  });
});

describe('checkpoints', () => {
  const h = (c: string): ContentHash => c.repeat(64) as ContentHash;

  it('are full at seq 1 and every SNAPSHOT_INTERVAL, deltas in between', () => {
    let state = null;
    const chain = [];
    for (let seq = 1; seq <= SNAPSHOT_INTERVAL + 1; seq++) {
      const cp = nextCheckpoint(origin, state, new Map([[parseStreamId(`s${seq % 3}`), h(String(seq % 10))]]), ts);
      const { hash } = encodeCheckpoint(cp);
      chain.push({ checkpoint: cp, hash });
      state = resolveCheckpointChain(chain.slice(chain.findLastIndex((l) => l.checkpoint.full)));
      expect(cp.full).toBe(seq === 1 || seq === SNAPSHOT_INTERVAL);
    }
    const snapshot = chain[SNAPSHOT_INTERVAL - 1]!.checkpoint;
    expect(Object.keys(snapshot.streams).sort()).toEqual(['s0', 's1', 's2']);
    expect(Object.keys(chain[SNAPSHOT_INTERVAL]!.checkpoint.streams)).toEqual([`s${(SNAPSHOT_INTERVAL + 1) % 3}`]);
  });

  it('resolve a chain into each stream\'s latest manifest', () => {
    const c1 = nextCheckpoint(origin, null, new Map([[stream, h('a')], [parseStreamId('b'), h('b')]]), ts);
    const e1 = encodeCheckpoint(c1);
    const s1 = resolveCheckpointChain([{ checkpoint: c1, hash: e1.hash }]);
    const c2 = nextCheckpoint(origin, s1, new Map([[stream, h('c')]]), ts);
    const e2 = encodeCheckpoint(c2);
    const s2 = resolveCheckpointChain([{ checkpoint: c1, hash: e1.hash }, { checkpoint: c2, hash: e2.hash }]);
    expect([...s2.streams]).toEqual([['notes', h('c')], ['b', h('b')]]);
    expect(s2.seq).toBe(2);
  });

  it('refuse a broken chain', async () => {
    const c1 = nextCheckpoint(origin, null, new Map([[stream, h('a')]]), ts);
    const s1 = resolveCheckpointChain([{ checkpoint: c1, hash: encodeCheckpoint(c1).hash }]);
    const c2 = nextCheckpoint(origin, { ...s1, hash: h('f') }, new Map(), ts);
    await expectCode(() => resolveCheckpointChain([{ checkpoint: c1, hash: encodeCheckpoint(c1).hash }, { checkpoint: c2, hash: h('9') }]), 'STORE_CORRUPT');
  });

  it('must agree with the seq and origin of their name', async () => {
    const { bytes } = encodeCheckpoint(nextCheckpoint(origin, null, new Map([[stream, h('a')]]), ts));
    expect(decodeCheckpoint(bytes, { origin, seq: 1 }).seq).toBe(1);
    await expectCode(() => decodeCheckpoint(bytes, { origin, seq: 2 }), 'ARTIFACT_INVALID');
    await expectCode(() => decodeCheckpoint(bytes, { origin: parseOriginId('other-000002'), seq: 1 }), 'ARTIFACT_INVALID');
  });
});

describe('artifact paths', () => {
  it('parse the layout and ignore everything else', () => {
    const hash = 'ab'.repeat(32);
    expect(parseArtifactPath(`segments/${hash}.ndjson.zst`)).toEqual({ kind: 'segment', hash });
    expect(parseArtifactPath('checkpoints/cp-0000000042.json')).toEqual({ kind: 'checkpoint', seq: 42 });
    expect(parseArtifactPath(`meta/0001730000000000000.0000-${hash}.json`)).toEqual({ kind: 'meta', hlc: '0001730000000000000.0000', hash });
    for (const junk of ['checkpoints/cp-0000000000.json', `segments/.${hash}.ndjson.zst.tmp`, `segments/${hash}.ndjson.zst.partial`, 'blobs/xyz', `x/${hash}`, `segments/a/${hash}`]) {
      expect(parseArtifactPath(junk)).toBeNull();
    }
  });
});

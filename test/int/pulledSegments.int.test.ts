import { Container, ContainerModule } from 'inversify';
import { definePlugin, openCairn, TOKENS, zstdPlugin, type Codec } from '../../src';
import { ArtifactRepository } from '../../src/application/services/ArtifactRepository';
import { PulledSegments } from '../../src/application/services/PulledSegments';
import { encodeSegment, maxDecodedBytes, parseOriginId, parseStreamId, segmentRef } from '../../src/domain';
import { MemoryArtifactStore } from '../../src/plugins/memory-store';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd/ZstdNapiCodec';
import { CompressStream } from 'zstd-napi';
import { expectCode } from '../../src/testing';
import { freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const SEGMENT_LIMIT = maxDecodedBytes('segment');

/** The real zstd codec, counting the segments it inflates (they alone are read with the segment limit). */
class CountingCodec implements Codec {
  readonly name = 'counting-zstd';
  segments = 0;
  constructor(private readonly inner: Codec) {}
  compress(data: Uint8Array): Promise<Uint8Array> {
    return this.inner.compress(data);
  }
  decompress(data: Uint8Array, max: number): Promise<Uint8Array> {
    if (max === SEGMENT_LIMIT) this.segments++;
    return this.inner.decompress(data, max);
  }
}

const codecs: CountingCodec[] = [];
const countingPlugin = definePlugin({
  name: 'counting-zstd',
  kind: 'codec',
  fromOptions: () =>
    new ContainerModule((load) => {
      const inner = new Container();
      inner.loadSync(zstdPlugin.fromOptions(undefined));
      const codec = new CountingCodec(inner.get(TOKENS.Codec));
      codecs.push(codec);
      load.bind(TOKENS.Codec).toConstantValue(codec);
    }),
});

describe('segments a sync pulls', () => {
  it('are inflated once: the import decodes (and verifies again) the bytes the pull verified', async () => {
    const { url, bucket } = freshTarget();
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock(), exportBatchEntries: 5 });
    for (let i = 0; i < 4; i++) {
      await a.append('notes', Array.from({ length: 5 }, (_, j) => ({ text: `river ${i * 5 + j}` })));
      await a.append('tasks', [{ text: `stone ${i}` }]);
      await a.export();
    }
    await a.sync(url, { create: true });
    const segments = (await bucket.list(`${a.origin}/segments/`)).length;
    expect(segments).toBeGreaterThanOrEqual(8);

    const b = await openCairn({ home: tempHome('beta', 2), clock: steppingClock(), plugins: [countingPlugin as never], codec: 'counting-zstd' });
    const codec = codecs.at(-1)!;
    const r = await b.sync(url);
    expect(r).toMatchObject({ pulled: expect.any(Number), quarantined: 0, deferred: 0, imported: { entries: 24 } });
    expect(codec.segments).toBe(segments); // pulled and verified once each, not read back for the import
    expect(b.search('river').length).toBe(20);

    // A rebuild has nothing held: it reads every segment from the local store and verifies it.
    await b.rebuild();
    expect(codec.segments).toBe(2 * segments);
    expect(b.search('stone').length).toBe(4);
    a.close();
    b.close();
  });
});

describe('the repository keeps pulled segments for the import', () => {
  const origin = parseOriginId('alpha-1a2b3c');
  const stream = parseStreamId('notes');
  const seg = encodeSegment(origin, stream, [{ ordinal: 0, ts: '2026-11-22T10:00:00.000Z', body: { text: 'held' } }]);
  const expect0 = { hash: seg.hash, origin, stream, from: 0, to: 1 };

  it('verifies what it hands out as it verifies a local file', async () => {
    const codec = new ZstdNapiCodec(3);
    const repo = new ArtifactRepository(new MemoryArtifactStore(), codec);
    const held = Uint8Array.from(seg.bytes);
    await repo.storeRaw(origin, segmentRef(seg.hash), await codec.compress(seg.bytes), held, true);
    held[held.length - 5] ^= 0x01; // what is held changed after it was verified
    await expectCode(repo.segment(origin, expect0), 'HASH_MISMATCH');
    // Taken once: the next read is the local copy, which is intact.
    expect((await repo.segment(origin, expect0)).entries).toEqual([{ ordinal: 0, ts: '2026-11-22T10:00:00.000Z', body: { text: 'held' } }]);
  });

  it('holds nothing unless asked, and forgets what it holds when the import is over or the copy is evicted', async () => {
    const counting = new CountingCodec(new ZstdNapiCodec(3));
    const repo = new ArtifactRepository(new MemoryArtifactStore(), counting);
    const raw = await counting.compress(seg.bytes);
    await repo.storeRaw(origin, segmentRef(seg.hash), raw, seg.bytes);
    await repo.segment(origin, expect0);
    expect(counting.segments).toBe(1);
    await repo.storeRaw(origin, segmentRef(seg.hash), raw, seg.bytes, true);
    repo.forgetPulled();
    await repo.segment(origin, expect0);
    expect(counting.segments).toBe(2);
    await repo.storeRaw(origin, segmentRef(seg.hash), raw, seg.bytes, true);
    await repo.evict(origin, segmentRef(seg.hash));
    await expectCode(repo.segment(origin, expect0), 'STORE_CORRUPT'); // evicted: neither held nor stored
  });

  it('is bounded by bytes, oldest out first', () => {
    const held = new PulledSegments(10);
    held.keep('a', new Uint8Array(4));
    held.keep('b', new Uint8Array(4));
    held.keep('c', new Uint8Array(4)); // 12 > 10: a goes
    held.keep('huge', new Uint8Array(11)); // never held
    expect([held.take('a'), held.take('huge')]).toEqual([undefined, undefined]);
    expect(held.take('b')?.length).toBe(4);
    expect(held.take('b')).toBeUndefined();
    held.keep('c', new Uint8Array(8)); // replaces c: 8 bytes held, not 12
    held.keep('d', new Uint8Array(2));
    expect([held.size, held.take('c')?.length, held.take('d')?.length]).toEqual([2, 8, 2]);
  });

  it('never retains more memory than its budget: a small segment that is a view of a large buffer is held as a copy', async () => {
    // Given segments the way a zstd frame without a declared content size inflates: a few hundred bytes that
    // are a view of the decoder's 128 KiB output chunk (another writer's streaming compressor makes such frames)
    const data = Buffer.from(seg.bytes);
    const frame = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const s = new CompressStream();
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.end(data);
    });
    const inflated = await new ZstdNapiCodec(3).decompress(frame, SEGMENT_LIMIT);
    expect(Buffer.from(inflated).equals(data)).toBe(true);
    expect(inflated.buffer.byteLength).toBeGreaterThan(64 * inflated.length); // the premise: a small view of a large buffer

    // When 100 of them are kept under a budget of 1 MiB (each counts a few hundred bytes)
    const budget = 1024 * 1024;
    const held = new PulledSegments(budget);
    for (let i = 0; i < 100; i++) held.keep(`k${i}`, i === 0 ? inflated : await new ZstdNapiCodec(3).decompress(frame, SEGMENT_LIMIT));

    // Then what it holds retains at most the budget, and still holds the same bytes
    const kept = Array.from({ length: 100 }, (_, i) => held.take(`k${i}`)).filter((b): b is Uint8Array => b !== undefined);
    expect(kept.length).toBe(100);
    expect(kept.reduce((n, b) => n + b.buffer.byteLength, 0)).toBeLessThanOrEqual(budget);
    expect(kept.every((b) => Buffer.from(b).equals(data))).toBe(true);
  });
});
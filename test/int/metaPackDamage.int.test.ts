import * as fs from 'node:fs';
import * as path from 'node:path';
import * as binding from 'zstd-napi/binding';
import { artifactKey, encodeMetaEvent, formatHlc, metaStem, msToNs, openCairn, parseArtifactKey, sha256Hex, type Cairn, type GlobalId, type OriginId } from '../../src';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd/ZstdNapiCodec';
import { memoryTarget } from '../../src/plugins/memory-store';
import { hookedTransport } from '../helpers/hookedTransport';
import { bodies, freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

/** The pack files of an origin in a folder target. */
const packFiles = (dir: string, origin: string): string[] =>
  fs.readdirSync(path.join(dir, origin, 'meta')).filter((n) => n.startsWith('pack-')).sort().map((n) => path.join(dir, origin, 'meta', n));
/** How many single event files an origin has in a folder target. */
const singleFiles = (dir: string, origin: string): number => fs.readdirSync(path.join(dir, origin, 'meta')).filter((n) => !n.startsWith('pack-')).length;

/** Damage a file in place, as bit rot or a copy tool would: one byte flipped, or cut in half. */
function damage(file: string, how: 'flip' | 'truncate'): void {
  const bytes = fs.readFileSync(file);
  if (how === 'flip') bytes[bytes.length >> 1] ^= 0x20;
  fs.writeFileSync(file, how === 'flip' ? bytes : bytes.subarray(0, bytes.length >> 1));
}

type Internals = { deps: { store: { get(k: string): Promise<Uint8Array | null> }; quarantine: { list(): Promise<{ key: string; code: string }[]> } } };
const internals = (c: Cairn): Internals['deps'] => (c as unknown as Internals).deps;
/** An artifact as the local store of `c` holds it. */
const localBytes = async (c: Cairn, key: string): Promise<Buffer> => Buffer.from((await internals(c).store.get(key))!);

/** Replica A renames and stars a stream: with threshold 2, one pack folds both events. */
async function author(seed: number): Promise<Cairn> {
  const a = await openCairn({ home: tempHome('alpha', seed), clock: steppingClock(), metaPackThreshold: 2 });
  await a.append('notes', bodies(1));
  await a.meta({ op: 'rename', stream: 'notes', value: 'packed' });
  await a.meta({ op: 'star', stream: 'notes' });
  return a;
}

const fresh = (name: string, seed: number): Promise<Cairn> => openCairn({ home: tempHome(name, seed), clock: steppingClock() });

describe('regression: a metadata pack damaged at a target is healed', () => {
  // The author trusted any pack name on the target (it wrote it once) and so never pushed the events the pack
  // folds: after damage there, every reader quarantined the pack and never got those events from that target.
  it.each(['flip', 'truncate'] as const)('a pack damaged at a folder target (%s) is replaced by its author at the next sync', async (how) => {
    const dir = tempDir();
    const a = await author(how === 'flip' ? 1 : 2);
    await a.sync(dir, { create: true });
    const [file] = packFiles(dir, a.origin);
    damage(file!, how);
    await a.sync(dir);
    const b = await fresh('beta', 3);
    const r = await b.sync(dir);
    expect({ quarantined: r.quarantined, failures: r.failures }).toEqual({ quarantined: 0, failures: [] });
    expect(b.streams()[0]).toMatchObject({ title: 'packed', starred: true });
    // The target holds the author's bytes again, and still serves the events only in the pack.
    const key = `${a.origin}/meta/${path.basename(file!)}`;
    expect(fs.readFileSync(file!).equals(await localBytes(a, key))).toBe(true);
    expect(singleFiles(dir, a.origin)).toBe(0);
    a.close();
    b.close();
  });

  it('a relay that holds the pack heals the damaged copy at a target the author never syncs with', async () => {
    const [t1, t2] = [tempDir(), tempDir()];
    const a = await author(4);
    await a.sync(t1, { create: true });
    const b = await fresh('beta', 5);
    await b.sync(t1);
    await b.sync(t2, { create: true }); // B relays A's pack
    const [file] = packFiles(t2, a.origin);
    damage(file!, 'flip');
    await b.sync(t2);
    const c = await fresh('gamma', 6);
    const r = await c.sync(t2);
    expect({ quarantined: r.quarantined, failures: r.failures }).toEqual({ quarantined: 0, failures: [] });
    expect(c.streams()[0]).toMatchObject({ title: 'packed', starred: true });
    a.close();
    b.close();
    c.close();
  });

  it('a reader that lacks the pack removes the confirmed-damaged copy, and the author copies it again', async () => {
    const dir = tempDir();
    const a = await author(7);
    await a.sync(dir, { create: true });
    const [file] = packFiles(dir, a.origin);
    damage(file!, 'truncate');
    const b = await fresh('beta', 8);
    const first = await b.sync(dir); // before the author syncs again
    expect(first.quarantined).toBe(1);
    expect((await internals(b).quarantine.list()).map((q) => q.code)).toEqual(['CODEC_FAILED']);
    expect(fs.existsSync(file!)).toBe(false); // the damaged bytes are in B's quarantine, not at the target
    await a.sync(dir); // the author sees its pack missing there and copies it
    const second = await b.sync(dir);
    expect({ quarantined: second.quarantined, failures: second.failures }).toEqual({ quarantined: 0, failures: [] });
    expect(b.streams()[0]).toMatchObject({ title: 'packed', starred: true });
    a.close();
    b.close();
  });

  it('a transient damaged read is read again: a good second read is used, and nothing is removed', async () => {
    const flaky = hookedTransport('flaky', {
      // The first read of each pack returns it cut short (an interrupted transfer); later reads are whole.
      get: (key, stored, reads) => (stored && reads === 0 && key.includes('/meta/pack-') ? stored.subarray(0, stored.length >> 1) : stored),
    });
    const { url, bucket } = freshTarget();
    const a = await author(9);
    await a.sync(url, { create: true });
    const b = await openCairn({ home: tempHome('beta', 10), clock: steppingClock(), plugins: [flaky.plugin] });
    const r = await b.sync(url.replace('memory://', 'flaky://'));
    expect({ quarantined: r.quarantined, failures: r.failures }).toEqual({ quarantined: 0, failures: [] });
    expect(b.streams()[0]).toMatchObject({ title: 'packed', starred: true });
    expect(flaky.tally.deletes).toEqual([]);
    expect((await bucket.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'metaPack')).toHaveLength(1);
    a.close();
    b.close();
  });

  it('damage that changes between two reads is quarantined but never removed (it is not confirmed)', async () => {
    const shifting = hookedTransport('shifting', {
      // A file still being written in place: every read sees a different, shorter prefix.
      get: (key, stored, reads) => (stored && key.includes('/meta/pack-') ? stored.subarray(0, (stored.length >> 1) - reads) : stored),
    });
    const { url } = freshTarget();
    const a = await author(11);
    await a.sync(url, { create: true });
    const b = await openCairn({ home: tempHome('beta', 12), clock: steppingClock(), plugins: [shifting.plugin] });
    const r = await b.sync(url.replace('memory://', 'shifting://'));
    expect(r.quarantined).toBe(1);
    expect(shifting.tally.deletes).toEqual([]);
    a.close();
    b.close();
  });
});

describe('regression: a pack of a newer format is never taken for damage', () => {
  const codec = new ZstdNapiCodec(3);
  const other = new ZstdNapiCodec(19);

  /** A pack of format v2 in `origin`'s folder: its name is its content's hash, its header a version we do not know. */
  async function futurePack(origin: OriginId, stream: string): Promise<{ key: string; canonical: Uint8Array }> {
    const hlc = formatHlc({ ns: msToNs(Date.parse('2026-11-22T09:00:00.000Z')), c: 0 });
    const event = encodeMetaEvent({ hlc, origin, target: { stream: stream as GlobalId }, op: 'star', field: 'starred', value: true });
    const stem = metaStem(hlc, event.hash);
    const header = `{"count":1,"first":"${stem}","kind":"metaPack","last":"${stem}","origin":"${origin}","packing":"v2-only","v":2}\n`;
    const canonical = Buffer.concat([Buffer.from(header), event.bytes]);
    return { key: artifactKey(origin, { kind: 'metaPack', hlc, after: '0', hash: sha256Hex(canonical) }), canonical };
  }

  it('readers store and relay it; a differently encoded copy of it at a target is kept as it is', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a = await author(13);
    await a.sync(t1.url, { create: true });
    const future = await futurePack(a.origin, a.gid('notes'));
    await t1.bucket.putIfAbsent(future.key, await codec.compress(future.canonical));
    const b = await fresh('beta', 14);
    for (let i = 0; i < 2; i++) expect((await b.sync(t1.url)).quarantined).toBe(0);
    expect(await t1.bucket.has(future.key)).toBe(true);
    expect((await localBytes(b, future.key)).equals(Buffer.from((await t1.bucket.get(future.key))!))).toBe(true);
    // B relays it; then the target's copy is swapped for another encoding of the same content.
    await b.sync(t2.url, { create: true });
    expect(await t2.bucket.has(future.key)).toBe(true);
    const reencoded = await other.compress(future.canonical);
    await t2.bucket.delete(future.key);
    await t2.bucket.putIfAbsent(future.key, reencoded);
    for (let i = 0; i < 2; i++) expect((await b.sync(t2.url)).quarantined).toBe(0);
    expect(Buffer.from((await t2.bucket.get(future.key))!).equals(Buffer.from(reencoded))).toBe(true);
    expect(await internals(b).quarantine.list()).toEqual([]);
    a.close();
    b.close();
  });
});

describe('regression: a valid, differently encoded copy of a pack counts as present', () => {
  // copyPack met `conflict` (the name is taken), found the target's copy valid in another encoding, and still
  // reported the pack as not there: the events it folds were pushed one by one at every sync.
  it('the events the pack folds are not pushed one by one', async () => {
    const lagging = hookedTransport('lagging', { hide: (key) => key.includes('/meta/pack-') }); // listings lag behind
    const t1 = freshTarget();
    const a = await openCairn({ home: tempHome('alpha', 15), clock: steppingClock(), metaPackThreshold: 2, plugins: [lagging.plugin] });
    await a.append('notes', bodies(1));
    await a.meta({ op: 'rename', stream: 'notes', value: 'packed' });
    await a.meta({ op: 'star', stream: 'notes' });
    await a.sync(t1.url, { create: true }); // the pack is written
    const [key] = (await t1.bucket.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'metaPack');
    // Another target already holds the same pack, compressed differently (another tool or level copied it).
    const name = `lag${process.pid}`;
    const there = memoryTarget(name);
    await there.putIfAbsent(key!, await new ZstdNapiCodec(19).compress(await new ZstdNapiCodec(3).decompress((await t1.bucket.get(key!))!, 1 << 22)));
    for (let i = 0; i < 2; i++) {
      const r = await a.sync(`lagging://${name}`);
      expect(r.failures).toEqual([]);
    }
    const singles = (await there.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'meta');
    expect(singles).toEqual([]);
    a.close();
  });
});

/** The same bytes as one zstd frame written by a streaming compressor: no content size, a 2^windowLog window. */
function largeWindowFrame(data: Uint8Array, windowLog: number): Uint8Array {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.windowLog, windowLog);
  const out = Buffer.alloc(binding.compressBound(data.length) + 1024);
  let [pos, src] = [0, data];
  while (src.length > 0) {
    const [, produced, consumed] = cctx.compressStream2(out.subarray(pos), src, binding.EndDirective.continue);
    [pos, src] = [pos + produced, src.subarray(consumed)];
  }
  for (;;) {
    const [remaining, produced] = cctx.compressStream2(out.subarray(pos), new Uint8Array(0), binding.EndDirective.end);
    pos += produced;
    if (remaining === 0) return new Uint8Array(out.subarray(0, pos));
  }
}

describe('regression: a valid pack that the reader\'s codec cannot decode is never removed', () => {
  // zstd-wasm refuses windows above 8 MiB (and native zstd above 128 MiB) with CODEC_FAILED, which counted as
  // proof of damage: a reader with that codec deleted the only copy of a valid pack, whose author was gone.
  it.each([
    ['zstd-wasm', 24],
    ['zstd', 28],
  ] as const)('a reader with codec %s leaves a pack encoded with a 2^%d window at the target', async (codec, windowLog) => {
    const { url, bucket } = freshTarget();
    const a = await author(windowLog);
    await a.sync(url, { create: true });
    const [key] = (await bucket.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'metaPack');
    const canonical = await new ZstdNapiCodec(3).decompress((await bucket.get(key!))!, 1 << 22);
    const reencoded = largeWindowFrame(canonical, windowLog); // another valid encoding (another tool's zstd)
    await bucket.delete(key!);
    await bucket.putIfAbsent(key!, reencoded);
    a.close(); // the author is gone
    const b = await openCairn({ home: tempHome('beta', windowLog + 100), clock: steppingClock(), codec });
    for (let i = 0; i < 2; i++) await b.sync(url);
    expect(Buffer.from((await bucket.get(key!)) ?? []).equals(Buffer.from(reencoded))).toBe(true);
    expect((await internals(b).quarantine.list()).map((q) => q.code)).toContain('CODEC_UNSUPPORTED');
    b.close();
    if (codec === 'zstd') return; // no built-in codec reads a 2^28 window; the copy stays for one that does
    const c = await fresh('gamma', windowLog + 200); // a reader whose codec can decode it gets the events
    expect((await c.sync(url)).quarantined).toBe(0);
    expect(c.streams()[0]).toMatchObject({ title: 'packed', starred: true });
    c.close();
  });
});

describe('regression: a holder whose codec cannot decode its own pack keeps it', () => {
  // A host that switched to zstd-wasm while holding a pack in a 2^24-window encoding (valid, from another tool)
  // got CODEC_UNSUPPORTED at its next push and evicted its own copy into quarantine, as if it were damage.
  it('a relay that reopens with zstd-wasm neither evicts nor pushes the pack it cannot verify', async () => {
    const { url, bucket } = freshTarget();
    const a = await author(24);
    await a.sync(url, { create: true });
    const [key] = (await bucket.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'metaPack');
    const reencoded = largeWindowFrame(await new ZstdNapiCodec(3).decompress((await bucket.get(key!))!, 1 << 22), 24);
    await bucket.delete(key!);
    await bucket.putIfAbsent(key!, reencoded);
    a.close();
    const home = tempHome('relay', 124);
    const relay = await openCairn({ home, clock: steppingClock() }); // native zstd: verifies and stores it
    await relay.sync(url);
    expect(relay.streams()[0]).toMatchObject({ title: 'packed', starred: true });
    relay.close();

    const again = await openCairn({ home, clock: steppingClock(), codec: 'zstd-wasm' });
    const other = freshTarget();
    await again.sync(other.url, { create: true });
    expect(Buffer.from(await localBytes(again, key!)).equals(Buffer.from(reencoded))).toBe(true);
    expect((await internals(again).quarantine.list()).map((q) => q.key)).not.toContain(key);
    expect(await other.bucket.get(key!)).toBeNull(); // never relayed unverified
    again.close();
  });
});

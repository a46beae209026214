import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactKey, checkpointRef, encodeCheckpoint, sha256Hex, type Checkpoint, type ContentHash, type OriginId } from '../../src/domain';
import type { Cairn } from '../../src/application/Cairn';
import { FileArtifactStore } from '../../src/plugins/file-store/FileArtifactStore';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';
import { bodies, freshTarget, origin } from '../helpers/syncFixtures';

afterAll(removeTempDirs);

const O = (c: Cairn) => c.origin as OriginId;
const cpKey = (o: OriginId, seq: number) => artifactKey(o, checkpointRef(seq));

/** Append one entry and export: one checkpoint per call. */
async function publishN(c: Cairn, n: number, word = 'river'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await c.append('notes', [{ text: `${word} ${i}` }]);
    await c.export();
  }
}

describe('regression: sync', () => {
  it('out-of-order delivery (snapshot cp-32/33 before cp-1..31) still relays to another target', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    const c = await origin('gamma', 3);
    await publishN(a, 33);
    await a.sync(t1.url, { create: true });
    // A copy tool delivered cp-32 (a full snapshot) and cp-33 first; cp-1..31 arrive later.
    const held: [string, Uint8Array][] = [];
    for (let s = 1; s <= 31; s++) {
      const k = cpKey(O(a), s);
      held.push([k, (await t1.bucket.get(k))!]);
      await t1.bucket.delete(k);
    }
    const r1 = await b.sync(t1.url);
    expect(r1.imported.entries).toBe(33); // imported through the snapshot: fine
    for (const [k, v] of held) await t1.bucket.putIfAbsent(k, v); // late arrival
    await b.sync(t1.url);
    const r2 = await b.sync(t2.url, { create: true });
    expect(r2.failures).toEqual([]);
    expect((await c.sync(t2.url)).imported.entries).toBe(33);
    for (const x of [a, b, c]) x.close();
  });

  it('a fork (same origin id, store rebuilt from scratch) that reaches a snapshot is refused, not merged', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a1 = await origin('alpha', 1);
    const a2 = await origin('alpha', 1); // same origin id, other store
    expect(a2.origin).toBe(a1.origin);
    const b = await origin('beta', 2);
    await a1.append('notes', [{ text: 'ORIGINAL 0' }, { text: 'ORIGINAL 1' }, { text: 'ORIGINAL 2' }]);
    await a1.sync(t1.url, { create: true });
    await b.sync(t1.url);
    await publishN(a2, 32, 'FORK'); // 32 checkpoints: cp-32 is full
    await a2.sync(t2.url, { create: true });
    const r = await b.sync(t2.url);
    const entries = b.show(`${a1.origin}~notes`, { limit: 100 }).entries.map((e) => (e.body as { text: string }).text);
    // Expected: ARTIFACT_CONFLICT for alpha (prev chain does not match), nothing imported from the fork.
    expect({ failures: r.failures.map((f) => f.code), entries }).toEqual({ failures: ['ARTIFACT_CONFLICT'], entries: ['ORIGINAL 0', 'ORIGINAL 1', 'ORIGINAL 2'] });
    for (const x of [a1, a2, b]) x.close();
  });

  it('a fork below the next snapshot is reported and nothing of it is stored', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a1 = await origin('alpha', 1);
    const a2 = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a1.append('notes', bodies(1));
    await a1.sync(t1.url, { create: true });
    await b.sync(t1.url);
    await publishN(a2, 3, 'fork');
    await a2.sync(t2.url, { create: true });
    const r = await b.sync(t2.url);
    const r2 = await b.sync(t2.url);
    expect({ deferred: r2.deferred, failures: r.failures.map((f) => f.code) }).toEqual({ deferred: 0, failures: ['ARTIFACT_CONFLICT'] });
    for (const x of [a1, a2, b]) x.close();
  });

  it('a forged full checkpoint at seq 9999999999 neither applies nor freezes the origin', async () => {
    const t = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(2));
    await a.sync(t.url, { create: true });
    await b.sync(t.url);
    const cp1 = new TextDecoder().decode((await t.bucket.get(cpKey(O(a), 1)))!);
    const state = JSON.parse(cp1) as Checkpoint;
    const forged: Checkpoint = { ...state, seq: 9_999_999_999, full: true, prev: 'ab'.repeat(32) as ContentHash, streams: {} };
    await t.bucket.putIfAbsent(cpKey(O(a), 9_999_999_999), encodeCheckpoint(forged).bytes);
    await b.sync(t.url);
    await a.append('notes', bodies(2, 'later', 2));
    await a.sync(t.url);
    const r = await b.sync(t.url);
    expect(b.streams().find((s) => s.origin === a.origin)?.entries).toBe(4);
    expect((await b.status()).origins.find((o) => o.origin === a.origin)?.checkpoint).toBe(2);
    void r;
    for (const x of [a, b]) x.close();
  });

  it('a junk {"v":2} file under a checkpoint name is quarantined, not stored', async () => {
    const t = freshTarget();
    const junk = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(1));
    await a.sync(t.url, { create: true });
    await b.sync(t.url);
    await junk.bucket.putIfAbsent(cpKey(O(a), 2), new TextEncoder().encode('{"v":2}\n'));
    await b.sync(junk.url, { create: true }); // stored "as a future version"
    await a.append('notes', bodies(1, 'two', 1));
    await a.sync(t.url);
    const r = await b.sync(t.url);
    expect(r.failures).toEqual([]);
    expect(b.streams().find((s) => s.origin === a.origin)?.entries).toBe(2);
    for (const x of [a, b]) x.close();
  });

  it('a no-op sync reads at most one local checkpoint per origin', async () => {
    const t = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await publishN(a, 31);
    await a.sync(t.url, { create: true });
    await b.sync(t.url);
    const spy = jest.spyOn(FileArtifactStore.prototype, 'get');
    await b.sync(t.url);
    const reads = spy.mock.calls.map((c) => String(c[0])).filter((p) => p.includes('/checkpoints/'));
    spy.mockRestore();
    expect(reads.length).toBeLessThanOrEqual(2);
    for (const x of [a, b]) x.close();
  });

  it('a locally damaged blob is never relayed onward', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    const blob = await a.putBlob(new TextEncoder().encode('precious attachment bytes'));
    await a.append('notes', [{ text: 'with blob', file: blob }]);
    await a.sync(t1.url, { create: true });
    await b.sync(t1.url);
    const local = path.join(b.home, 'artifacts', a.origin, 'blobs', (blob as { $blob: string }).$blob);
    fs.writeFileSync(local, 'bit rot!!');
    await b.sync(t2.url, { create: true });
    const relayed = await t2.bucket.get(`${a.origin}/blobs/${(blob as { $blob: string }).$blob}`);
    expect(relayed === null || sha256Hex(relayed) === (blob as { $blob: string }).$blob).toBe(true);
    for (const x of [a, b]) x.close();
  });

  it('a symlinked folder inside a target is refused; nothing outside the target is touched', async () => {
    const a = await origin('alpha', 1);
    await a.append('notes', bodies(1));
    await a.export();
    const [seg] = fs.readdirSync(path.join(a.home, 'artifacts', a.origin, 'segments'));
    const target = tempDir('adv-target-');
    const outside = tempDir('adv-outside-');
    fs.writeFileSync(path.join(outside, seg!), 'precious file outside the target\n');
    fs.mkdirSync(path.join(target, a.origin), { recursive: true });
    fs.symlinkSync(outside, path.join(target, a.origin, 'segments'));
    const r = await a.sync(target);
    expect(r.failures).toEqual([expect.objectContaining({ origin: a.origin, code: 'ARTIFACT_NAME_INVALID' })]);
    expect(fs.readFileSync(path.join(outside, seg!), 'utf8')).toBe('precious file outside the target\n');
    a.close();
  });

  it('rebuild after a partially applied checkpoint reproduces the incremental read model', async () => {
    const t = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('s1', bodies(1));
    await a.append('s2', bodies(1));
    await a.sync(t.url, { create: true });
    await b.sync(t.url);
    await a.append('s1', bodies(2, 'more', 1));
    await a.append('s2', bodies(2, 'more', 1));
    await a.sync(t.url);
    // damage s2's new segment on the target: b applies s1 at cp-2, s2 deferred
    const segs = await t.bucket.list(`${a.origin}/segments/`);
    const before = new Set((await (async () => segs)()));
    void before;
    const m = JSON.parse(new TextDecoder().decode((await t.bucket.get(cpKey(O(a), 2)))!)) as Checkpoint;
    const s2manifest = m.streams.s2!;
    const codec = (b as unknown as { deps: { codec: { decompress(x: Uint8Array, n: number): Promise<Uint8Array> } } }).deps.codec;
    const man = JSON.parse(new TextDecoder().decode(await codec.decompress((await t.bucket.get(`${a.origin}/manifests/${s2manifest}.json.zst`))!, 1 << 24))) as { segments: { hash: string }[] };
    const lastSeg = `${a.origin}/segments/${man.segments.at(-1)!.hash}.ndjson.zst`;
    const good = (await t.bucket.get(lastSeg))!;
    await t.bucket.delete(lastSeg);
    await t.bucket.putIfAbsent(lastSeg, good.slice(0, good.length - 3));
    await b.sync(t.url);
    const incremental = b.streams().map((s) => [s.id, s.entries]).sort();
    await b.rebuild();
    const rebuilt = b.streams().map((s) => [s.id, s.entries]).sort();
    expect(rebuilt).toEqual(incremental);
    for (const x of [a, b]) x.close();
  });
});

describe('regression: healing', () => {
  it('a damaged copy of our newest checkpoint on a target is replaced', async () => {
    const t = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(2));
    await a.sync(t.url, { create: true });
    const k = cpKey(O(a), 1);
    const good = (await t.bucket.get(k))!;
    await t.bucket.delete(k);
    await t.bucket.putIfAbsent(k, good.slice(0, 20)); // truncated by a copy tool
    await a.sync(t.url);
    await a.sync(t.url);
    expect(Buffer.from((await t.bucket.get(k))!).equals(Buffer.from(good))).toBe(true);
    expect((await b.sync(t.url)).imported.entries).toBe(2);
    for (const x of [a, b]) x.close();
  });
});

void openCairn;
void steppingClock;
void tempHome;

describe('regression: damaged folder targets', () => {
  async function setup() {
    const target = tempDir('adv-t-');
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(2));
    await a.sync(target);
    return { target, a, b, dir: path.join(target, a.origin) };
  }

  it('a directory where a segment file should be is deferred, not a bare EISDIR', async () => {
    const { target, a, b, dir } = await setup();
    const [seg] = fs.readdirSync(path.join(dir, 'segments'));
    fs.rmSync(path.join(dir, 'segments', seg!));
    fs.mkdirSync(path.join(dir, 'segments', seg!));
    const r = await b.sync(target);
    expect(r.failures).toEqual([]);
    expect(r.deferred).toBeGreaterThan(0);
    for (const x of [a, b]) x.close();
  });

  it('a 3 GB (sparse) file under a checkpoint name is quarantined without being read', async () => {
    const { target, a, b, dir } = await setup();
    const fd = fs.openSync(path.join(dir, 'checkpoints', 'cp-0000000002.json'), 'w');
    fs.ftruncateSync(fd, 3 * 1024 ** 3);
    fs.closeSync(fd);
    const r = await b.sync(target);
    expect(r.failures).toEqual([]); // expected: quarantined as DECOMPRESSED_TOO_LARGE (or ignored)
    expect(r.quarantined).toBe(1);
    for (const x of [a, b]) x.close();
  });

  it('a zstd bomb under a segment name is refused without inflating', async () => {
    const { target, a, b, dir } = await setup();
    const [seg] = fs.readdirSync(path.join(dir, 'segments'));
    const codec = (b as unknown as { deps: { codec: { compress(x: Uint8Array): Promise<Uint8Array> } } }).deps.codec;
    const bomb = await codec.compress(new Uint8Array(200 * 1024 * 1024));
    fs.rmSync(path.join(dir, 'segments', seg!));
    fs.writeFileSync(path.join(dir, 'segments', seg!), bomb);
    const before = process.memoryUsage().rss;
    const r = await b.sync(target);
    expect(r.quarantined).toBe(1);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    for (const x of [a, b]) x.close();
  });
});

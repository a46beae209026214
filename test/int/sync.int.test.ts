import { artifactKey, buildManifest, checkpointRef, encodeCheckpoint, encodeManifest, nextCheckpoint, sha256Hex, type ContentHash, type OriginId, type StreamId } from '../../src/domain';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd/ZstdNapiCodec';
import { removeTempDirs } from '../helpers/tempHome';
import { bodies, freshTarget, origin } from '../helpers/syncFixtures';

afterAll(removeTempDirs);

const keysOf = async (bucket: ReturnType<typeof freshTarget>['bucket'], o: string, dir: string): Promise<string[]> => bucket.list(`${o}/${dir}/`);

describe('sync through a target', () => {
  it('two origins converge; foreign streams appear under their global id, searchable, with their origin', async () => {
    const { url } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(3, 'alpha'));
    await b.append('notes', bodies(2, 'beta'));
    await a.sync(url, { create: true });
    const rb = await b.sync(url);
    expect(rb.imported).toMatchObject({ streams: 1, entries: 3 });
    await a.sync(url);
    for (const c of [a, b]) {
      expect(c.streams().map((s) => [s.id, s.origin, s.entries]).sort()).toEqual([
        [`${a.origin}~notes`, a.origin, 3],
        [`${b.origin}~notes`, b.origin, 2],
      ]);
    }
    expect(a.search('beta').map((h) => h.stream)).toEqual([`${b.origin}~notes`, `${b.origin}~notes`]);
    const again = await a.sync(url);
    expect(again).toMatchObject({ pushed: 0, pulled: 0, imported: { entries: 0 } });
    a.close();
    b.close();
  });

  it('defers what is missing and imports it when it arrives', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(5));
    await a.sync(url, { create: true });
    const [segKey] = await keysOf(bucket, a.origin, 'segments');
    const held = (await bucket.get(segKey!))!;
    await bucket.delete(segKey!);
    const first = await b.sync(url);
    expect(first.deferred).toBeGreaterThan(0);
    expect(b.streams()).toEqual([]);
    expect((await b.status()).origins.find((o) => o.origin === a.origin)).toBeUndefined();
    await bucket.putIfAbsent(segKey!, held); // late arrival
    const second = await b.sync(url);
    expect(second.imported.entries).toBe(5);
    expect(b.streams()[0]!.entries).toBe(5);
    a.close();
    b.close();
  });

  describe('quarantines what fails verification, never imports or relays it, and heals from a good copy', () => {
    const corruptions: [string, (bytes: Uint8Array) => Uint8Array][] = [
      ['a flipped byte', (b) => Uint8Array.from(b, (x, i) => (i === Math.floor(b.length / 2) ? x ^ 0xff : x))],
      ['truncated zstd', (b) => b.slice(0, Math.floor(b.length / 2))],
      ['garbage', () => new TextEncoder().encode('{"not": "zstd"}\n')],
    ];
    it.each(corruptions)('segment: %s', async (_label, damage) => {
      const { url, bucket } = freshTarget();
      const relay = freshTarget();
      const a = await origin('alpha', 1);
      const b = await origin('beta', 2);
      const c = await origin('gamma', 3);
      await a.append('notes', bodies(4));
      await a.sync(url, { create: true });
      const [segKey] = await keysOf(bucket, a.origin, 'segments');
      const good = (await bucket.get(segKey!))!;
      await bucket.delete(segKey!);
      await bucket.putIfAbsent(segKey!, damage(good));
      const r = await b.sync(url);
      expect(r.quarantined).toBe(1);
      expect(b.streams()).toEqual([]);
      // Never copied onward: b relays nothing of a's to another target.
      await b.sync(relay.url, { create: true });
      expect(await relay.bucket.list(`${a.origin}/segments/`)).toEqual([]);
      expect(await relay.bucket.list(`${a.origin}/checkpoints/`)).toEqual([]);
      // The good copy heals it.
      await bucket.delete(segKey!);
      await bucket.putIfAbsent(segKey!, good);
      expect((await b.sync(url)).imported.entries).toBe(4);
      await b.sync(relay.url);
      expect((await c.sync(relay.url)).imported.entries).toBe(4);
      for (const x of [a, b, c]) x.close();
    });

    it('an artifact of another origin placed under this origin\'s name', async () => {
      const { url, bucket } = freshTarget();
      const a = await origin('alpha', 1);
      const x = await origin('xeno', 9);
      const b = await origin('beta', 2);
      await a.append('notes', bodies(2));
      await x.append('notes', bodies(2));
      await a.sync(url, { create: true });
      await x.sync(url);
      // A forged checkpoint 2 of a that names x's manifest, copied into a's folder: hash and name agree,
      // but the manifest says origin x.
      const [xManifest] = await keysOf(bucket, x.origin, 'manifests');
      const name = xManifest!.split('/')[2]!;
      await bucket.putIfAbsent(`${a.origin}/manifests/${name}`, (await bucket.get(xManifest!))!);
      const cp1 = (await bucket.get(artifactKey(a.origin as OriginId, checkpointRef(1))))!;
      const forged = nextCheckpoint(a.origin as OriginId, { seq: 1, hash: sha256Hex(cp1), publishedAt: '', streams: new Map() }, new Map([['notes' as StreamId, name.slice(0, 64) as ContentHash]]), '2026-11-22T11:00:00.000Z');
      await bucket.putIfAbsent(artifactKey(a.origin as OriginId, checkpointRef(2)), encodeCheckpoint(forged).bytes);
      const r = await b.sync(url);
      expect(r.quarantined).toBe(1);
      const log = await (b as unknown as { deps: { quarantine: { list(): Promise<{ code: string; key: string }[]> } } }).deps.quarantine.list();
      expect(log).toEqual([expect.objectContaining({ code: 'ARTIFACT_INVALID', key: `${a.origin}/manifests/${name}` })]);
      // b keeps a at checkpoint 1 (the forged one cannot be applied) and has x's stream under x only.
      expect(b.streams().map((s) => [s.origin, s.entries]).sort()).toEqual([[a.origin, 2], [x.origin, 2]].sort());
      for (const c of [a, x, b]) c.close();
    });

    it('a checkpoint whose seq does not match its name, and a corrupt latest checkpoint falls back to an older valid one', async () => {
      const { url, bucket } = freshTarget();
      const a = await origin('alpha', 1);
      const b = await origin('beta', 2);
      await a.append('notes', bodies(2));
      await a.sync(url, { create: true });
      await a.append('notes', bodies(2, 'river', 2));
      await a.sync(url);
      const cp2 = artifactKey(a.origin as OriginId, checkpointRef(2));
      const cp1 = artifactKey(a.origin as OriginId, checkpointRef(1));
      await bucket.delete(cp2);
      await bucket.putIfAbsent(cp2, (await bucket.get(cp1))!); // seq 1 content under the name of seq 2
      const r = await b.sync(url);
      expect(r.quarantined).toBe(1);
      expect(b.streams()[0]!.entries).toBe(2); // fell back to checkpoint 1
      expect((await b.status()).origins.find((o) => o.origin === a.origin)?.checkpoint).toBe(1);
      a.close();
      b.close();
    });
  });

  it('a checkpoint\'s absence never deletes anything', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(3));
    await a.sync(url, { create: true });
    await b.sync(url);
    for (const k of await keysOf(bucket, a.origin, 'checkpoints')) await bucket.delete(k);
    await b.sync(url);
    expect(b.streams()[0]!.entries).toBe(3);
    await b.rebuild();
    expect(b.streams()[0]!.entries).toBe(3);
    a.close();
    b.close();
  });

  it('two different artifacts under one checkpoint name stop the sync for that origin, naming both, overwriting nothing', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    const c = await origin('gamma', 3);
    await a.append('notes', bodies(1));
    await a.sync(url, { create: true });
    // A second store under a's origin id (a rebuilt-from-scratch store): other cp-1 content.
    const fork = freshTarget();
    const cp1 = artifactKey(a.origin as OriginId, checkpointRef(1));
    const original = (await bucket.get(cp1))!;
    const forged = new TextEncoder().encode(new TextDecoder().decode(original).replace(/"publishedAt":"[^"]+"/, '"publishedAt":"2030-01-01T00:00:00.000Z"'));
    await fork.bucket.putIfAbsent(cp1, forged);
    await c.append('mine', bodies(1));
    await b.sync(url);
    const r = await b.sync(fork.url, { create: true });
    expect(r.failures).toEqual([expect.objectContaining({ origin: a.origin, code: 'ARTIFACT_CONFLICT' })]);
    expect(r.failures[0]!.message).toMatch(/checkpoint 1 of .* differs here \([0-9a-f]{12}\) and at memory:\/\/.* \([0-9a-f]{12}\)/);
    expect(Buffer.from((await fork.bucket.get(cp1))!).equals(Buffer.from(forged))).toBe(true);
    // Other origins are unaffected.
    await c.sync(fork.url);
    expect((await b.sync(fork.url)).imported.entries).toBe(1);
    for (const x of [a, b, c]) x.close();
  });

  it('relays: what one target brought in reaches another target in the same sync', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    const c = await origin('gamma', 3);
    await a.append('notes', bodies(3));
    await a.sync(t1.url, { create: true });
    await b.sync(t1.url);
    await b.sync(t2.url, { create: true });
    expect((await c.sync(t2.url)).imported.entries).toBe(3);
    for (const x of [a, b, c]) x.close();
  });
});

describe('regression: a push interrupted between two checkpoints', () => {
  it('leaves only checkpoints whose closure is whole on the target', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    await a.append('notes', [{ text: 'one' }]);
    await a.sync(url, { create: true });
    await a.append('notes', [{ text: 'two' }]);
    await a.export();
    await a.append('notes', [{ text: 'three' }]);
    await a.sync(url);
    // Checkpoints go last and ascending: a kill between cp-2 and cp-3 leaves exactly this.
    await bucket.delete(artifactKey(a.origin as OriginId, checkpointRef(3)));
    const c = await origin('charlie', 3);
    const r = await c.sync(url);
    expect({ deferred: r.deferred, entries: c.streams()[0]?.entries }).toEqual({ deferred: 0, entries: 2 });
    a.close();
    c.close();
  });
});

describe('a segment whose hash and header verify but whose entries do not', () => {
  it('is stored by pull, refused by import (quarantined), and never relayed', async () => {
    const { url, bucket } = freshTarget();
    const relay = freshTarget();
    const forger = 'forge-000001' as OriginId;
    const header = `{"from":0,"kind":"segment","origin":"${forger}","stream":"notes","to":1,"v":1}\n`;
    const bytes = new TextEncoder().encode(`${header}{"body":"x","ordinal":0,"ts":"yesterday"}\n`);
    const hash = sha256Hex(bytes);
    const codec = new ZstdNapiCodec(3);
    await bucket.putIfAbsent(`${forger}/segments/${hash}.ndjson.zst`, await codec.compress(bytes));
    const manifest = encodeManifest(
      buildManifest(forger, 'notes' as StreamId, { kind: 'log', createdAt: '2026-11-22T10:00:00.000Z', attrs: {} }, [{ hash, from: 0, to: 1, bytes: bytes.length }]),
    );
    await bucket.putIfAbsent(`${forger}/manifests/${manifest.hash}.json.zst`, await codec.compress(manifest.bytes));
    const cp = encodeCheckpoint(nextCheckpoint(forger, null, new Map([['notes' as StreamId, manifest.hash]]), '2026-11-22T10:00:00.000Z'));
    await bucket.putIfAbsent(artifactKey(forger, checkpointRef(1)), cp.bytes);
    const b = await origin('beta', 2);
    const r = await b.sync(url, { create: true });
    expect(r.quarantined).toBe(1);
    expect(b.streams()).toEqual([]);
    await b.sync(relay.url, { create: true });
    expect(await relay.bucket.list(`${forger}/segments/`)).toEqual([]);
    b.close();
  });
});

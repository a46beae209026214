import { artifactKey, encodeMetaEvent, encodeMetaPack, formatHlc, metaStem, msToNs, openCairn, parseArtifactKey, type GlobalId, type OriginId } from '../../src';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd/ZstdNapiCodec';
import { bodies, freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const codec = new ZstdNapiCodec(3);

/** A pack forged by someone else in `origin`'s folder of a shared target: self-consistent, chained from nothing. */
async function forgePack(bucket: ReturnType<typeof freshTarget>['bucket'], origin: OriginId, stream: string, hlcs: readonly number[]): Promise<string> {
  const events: ReturnType<typeof encodeMetaEvent>[] = [];
  for (const ms of hlcs) {
    const before = events[events.length - 1];
    const prev = before ? { prev: metaStem(before.event.hlc, before.hash) } : {};
    events.push(encodeMetaEvent({ hlc: formatHlc({ ns: msToNs(ms), c: 0 }), origin, target: { stream: stream as GlobalId }, op: 'rename', field: 'title', value: `forged ${ms}`, ...prev }));
  }
  const pack = encodeMetaPack(origin, events);
  const key = artifactKey(origin, { kind: 'metaPack', hlc: pack.hlc, after: pack.after, hash: pack.hash });
  await bucket.putIfAbsent(key, await codec.compress(pack.bytes));
  return key;
}

describe('regression: metadata packs', () => {
  // P1: a pack forged with a far-future last event and no predecessor "covers" the origin's chain from its
  // start by its name alone: pull starts the single-event cursor after it (so the author's real events are
  // never fetched), and import stops the whole origin at the deferred event, before the single events.
  // A forged far-future reading must be deferred, not block the author's real edits for good.
  it('a forged far-future pack in a shared folder does not hide the author\'s real events', async () => {
    const { url, bucket } = freshTarget();
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock(T0) });
    const b = await openCairn({ home: tempHome('beta', 2), clock: steppingClock(T0 + 60_000) });
    await a.append('notes', bodies(1));
    await a.meta({ op: 'rename', stream: 'notes', value: 'real' });
    await a.sync(url, { create: true });
    await forgePack(bucket, a.origin, a.gid('notes'), [T0 + 365 * 86_400_000]);
    const r = await b.sync(url);
    expect(r.deferred).toBeGreaterThanOrEqual(1);
    expect(b.streams()[0]!.title).toBe('real');
    a.close();
    b.close();
  });

  it('a forged pack whose last event is far ahead does not stop the import of the author\'s single events', async () => {
    const { url, bucket } = freshTarget();
    const a = await openCairn({ home: tempHome('alpha', 3), clock: steppingClock(T0) });
    const b = await openCairn({ home: tempHome('beta', 4), clock: steppingClock(T0 + 60_000) });
    await a.append('notes', bodies(1));
    await a.sync(url, { create: true });
    await b.sync(url);
    // Forged: an early event (within the bound, an old reading), then one a year ahead.
    await forgePack(bucket, a.origin, a.gid('notes'), [T0 - 3_600_000, T0 + 365 * 86_400_000]);
    await a.meta({ op: 'rename', stream: 'notes', value: 'real' });
    await a.sync(url);
    await b.sync(url);
    expect(b.streams()[0]!.title).toBe('real');
    a.close();
    b.close();
  });

  // P4: the pusher trusted every pack name on the target as covering its chain. A pack forged in the author's
  // folder (within the drift bound) that claims to follow the author's real pack made the author skip
  // pushing its unpacked tail: readers learn of the tail events by the chain, but can never fetch them.
  it('a forged pack on the target does not stop the author pushing its own unpacked events', async () => {
    const { url, bucket } = freshTarget();
    const clock = steppingClock(T0);
    const a = await openCairn({ home: tempHome('alpha', 9), clock, metaPackThreshold: 3 });
    await a.append('notes', bodies(1));
    await a.meta({ op: 'rename', stream: 'notes', value: 'one' });
    await a.meta({ op: 'rename', stream: 'notes', value: 'two' });
    await a.meta({ op: 'pin', stream: 'notes', ordinal: 0 });
    await a.sync(url, { create: true }); // pack: one, two, pin
    const [real] = await bucket.list(`${a.origin}/meta/`, { after: `${a.origin}/meta/pack-` });
    const last = Buffer.from(await codec.decompress((await bucket.get(real!))!, 1 << 20)).toString();
    const lastStem = JSON.parse(last.slice(0, last.indexOf('\n'))).last as string;
    await a.meta({ op: 'rename', stream: 'notes', value: 'three' }); // the unpacked tail (below the threshold)
    // Forged: a pack that names the real pack's last event as its predecessor, stamped a minute ahead.
    const forged = encodeMetaEvent({ hlc: formatHlc({ ns: msToNs(T0 + 60_000), c: 0 }), origin: a.origin, target: { stream: a.gid('notes') as GlobalId }, op: 'star', field: 'starred', value: true, prev: lastStem });
    const pack = encodeMetaPack(a.origin, [forged]);
    await bucket.putIfAbsent(artifactKey(a.origin, { kind: 'metaPack', hlc: pack.hlc, after: pack.after, hash: pack.hash }), await codec.compress(pack.bytes));
    await a.sync(url);
    clock.set(T0 + 120_000);
    await a.meta({ op: 'rename', stream: 'notes', value: 'four' });
    await a.sync(url);
    const b = await openCairn({ home: tempHome('beta', 10), clock: steppingClock(T0 + 180_000) });
    await b.sync(url);
    await b.sync(url);
    // Every real event of A reached the target: B holds A's whole ledger (and the forged star).
    const mine = (b as unknown as { deps: { readModel: { missingMeta(o: string): string[] } } }).deps.readModel.missingMeta(a.origin);
    expect(mine).toEqual([]);
    expect(b.streams()[0]!.title).toBe('four');
    a.close();
    b.close();
  });

  // P3: the author's tail is the newer of its last single event file and the end of its newest pack. When GC
  // collected only the newest folded single files (any folded file may be collected), the last file left is
  // older than the pack's end: the next edit names the wrong predecessor, forking the chain, and the author
  // never packs again (every later run stops at the "gap").
  it('an author whose newest folded single events were collected continues its chain from the pack', async () => {
    const { url, bucket } = freshTarget();
    const home = tempHome('alpha', 7);
    const clock = steppingClock(T0);
    let a = await openCairn({ home, clock, metaPackThreshold: 4 });
    await a.append('notes', bodies(1));
    for (let i = 0; i < 4; i++) await a.meta({ op: 'rename', stream: 'notes', value: `t${i}` });
    await a.sync(url, { create: true }); // one pack of the four
    // GC collects the last two folded single files in the local store.
    const store = (a as unknown as { deps: { store: { list(p: string): Promise<string[]>; delete(k: string): Promise<boolean> } } }).deps.store;
    const singles = (await store.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'meta');
    expect(singles).toHaveLength(4);
    for (const k of singles.slice(2)) await store.delete(k);
    a.close();
    a = await openCairn({ home, clock, metaPackThreshold: 4 });
    for (let i = 4; i < 8; i++) await a.meta({ op: 'rename', stream: 'notes', value: `t${i}` });
    await a.sync(url);
    const packs = await bucket.list(`${a.origin}/meta/`, { after: `${a.origin}/meta/pack-` });
    expect(packs).toHaveLength(2);
    a.close();
  });
});

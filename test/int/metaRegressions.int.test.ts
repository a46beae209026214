import * as path from 'node:path';
import { canonicalBytes, encodeMetaEvent, formatHlc, msToNs, openCairn, sha256Hex, type OriginId } from '../../src';
import { steppingClock, removeTempDirs, tempHome } from '../helpers/tempHome';
import { bodies, freshTarget, origin } from '../helpers/syncFixtures';
import { dumpReadModel } from '../helpers/readModelDump';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const dump = (file: string): Record<string, unknown[]> => dumpReadModel(file, ['registers', 'conflicts', 'purged', 'streams']);

describe('regression: metadata ledger', () => {
  // D1: HlcClock loads its persisted state lazily in next(); observe() before the first next() seeds `last`
  // with the remote reading only, so after a backwards clock jump the next own edit is stamped BELOW this
  // origin's own previous event: it silently loses, and cursors (push and peers' import) skip it.
  it('a local edit after observing an older remote event, with the clock jumped back, must win', async () => {
    const { url } = freshTarget();
    const homeA = tempHome('alpha', 1);
    const clockA = steppingClock(T0);
    let a = await openCairn({ home: homeA, clock: clockA });
    const b = await openCairn({ home: tempHome('beta', 2), clock: steppingClock(T0 - 86_400_000) }); // b's clock a day behind
    await a.append('notes', bodies(1));
    await a.sync(url, { create: true });
    await b.sync(url);
    await a.meta({ op: 'rename', stream: 'notes', value: 'one' }); // hlc ~T0
    await a.sync(url);
    await b.sync(url);
    await b.meta({ op: 'star', stream: `${a.origin}~notes` }); // hlc ~T0-1d, a different field
    await b.sync(url);
    a.close();
    clockA.set(T0 - 3_600_000); // a's clock jumps back an hour
    a = await openCairn({ home: homeA, clock: clockA });
    await a.sync(url); // observes b's star (older than a's own 'one')
    const ev = (await a.meta({ op: 'rename', stream: 'notes', value: 'two' })).event!;
    expect(a.streams()[0]!.title).toBe('two');
    a.close();
    b.close();
    expect(ev).toBeDefined();
  });

  // D2: rebuild/catch-up run the drift check on the origin's OWN events. With the local clock behind its own
  // newest events by more than the drift bound (the clock jumped back), rebuild defers them: own edits vanish,
  // and a purged stream comes back.
  it('rebuild after a backwards clock jump keeps own edits and purges', async () => {
    const home = tempHome('alpha', 1);
    const clock = steppingClock(T0);
    const a = await openCairn({ home, clock });
    await a.append('notes', bodies(1));
    await a.append('gone', bodies(1));
    await a.meta({ op: 'rename', stream: 'notes', value: 'kept' });
    await a.meta({ op: 'purge', stream: 'gone' });
    clock.set(T0 - 3_600_000); // an hour back
    const r = await a.rebuild();
    expect(r.deferred ?? 0).toBe(0);
    expect(a.streams({ includeTrashed: true }).map((s) => [s.stream, s.title])).toEqual([['notes', 'kept']]);
    a.close();
  });

  // D3: push re-decodes every local meta event and throws VERSION_UNSUPPORTED on a future-version event that
  // pull stored on purpose: the relay of that origin's metadata stops at it (and the cursor is not saved).
  it('a future-version event is relayed, and does not stop the relay of later events', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(1));
    await a.sync(t1.url, { create: true });
    const hlc = formatHlc({ ns: msToNs(T0 + 1000), c: 0 });
    const doc = { field: 'title', hlc, kind: 'meta', op: 'rename', origin: a.origin, target: { stream: `${a.origin}~notes` }, v: 2, value: 'future', extra: 1 };
    const bytes = canonicalBytes(doc as never);
    const key = `${a.origin}/meta/${hlc}-${sha256Hex(bytes)}.json`;
    await t1.bucket.putIfAbsent(key, bytes);
    await a.meta({ op: 'star', stream: 'notes' });
    await a.sync(t1.url);
    await b.sync(t1.url);
    const r = await b.sync(t2.url, { create: true });
    expect(r.failures).toEqual([]);
    const keys = await t2.bucket.list(`${a.origin}/meta/`);
    expect(keys).toContain(key);
    expect(keys.length).toBe(2);
    a.close();
    b.close();
  });

  // D4: an event whose op is not understood (kept for an upgrade) still marks its `base` superseded, but the
  // register is not recomputed, so the conflict log differs between incremental and rebuild.
  it('rebuild reproduces the conflict log when a not-understood event names a base', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await openCairn({ home: tempHome('beta', 2), clock: steppingClock(T0 + 10_000) }); // b wins, alpha loses
    await a.append('notes', bodies(1));
    await a.sync(url, { create: true });
    await b.sync(url);
    await a.meta({ op: 'rename', stream: 'notes', value: 'A' });
    await b.meta({ op: 'rename', stream: `${a.origin}~notes`, value: 'B' });
    await a.sync(url);
    await b.sync(url);
    await a.sync(url);
    const [c] = b.conflicts();
    expect(c).toBeDefined();
    // find the loser's hash
    const loserOrigin = c!.loser.origin;
    const lk = (await bucket.list(`${loserOrigin}/meta/`)).find((k) => k.includes(c!.loser.hlc))!;
    const loserHash = lk.split('-').at(-1)!.replace('.json', '');
    // a newer-client event (unknown op) by the loser's origin that saw its own edit
    expect(loserOrigin).toBe(a.origin);
    const hlc = formatHlc({ ns: msToNs(T0 + 5000), c: 0 });
    const ev = encodeMetaEvent({ hlc, origin: loserOrigin as OriginId, target: { stream: `${a.origin}~notes` as never }, op: 'retitle', field: 'title', value: 'x', base: loserHash as never });
    await bucket.putIfAbsent(`${loserOrigin}/meta/${hlc}-${ev.hash}.json`, ev.bytes);
    const x = loserOrigin === a.origin ? b : a;
    await x.sync(url);
    const home = x.home;
    x.close();
    const fresh = path.join(home, 'rebuilt.db');
    const r = await openCairn({ home, database: fresh, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dump(fresh)).toEqual(dump(path.join(home, 'cairn.db')));
    (loserOrigin === a.origin ? a : b).close();
  });

  // D5: a meta event up to 16 MiB is accepted on import (64 KiB on encode): unknown-op events are stored in
  // SQLite and relayed forever.
  it('an oversized foreign meta event is refused', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(1));
    await a.sync(url, { create: true });
    const hlc = formatHlc({ ns: msToNs(T0 + 1000), c: 0 });
    const doc = { field: 'blob', hlc, kind: 'meta', op: 'zap', origin: a.origin, target: { stream: `${a.origin}~notes` }, v: 1, value: 'x'.repeat(4 * 1024 * 1024) };
    const bytes = canonicalBytes(doc as never);
    await bucket.putIfAbsent(`${a.origin}/meta/${hlc}-${sha256Hex(bytes)}.json`, bytes);
    const r = await b.sync(url);
    expect(r.quarantined).toBeGreaterThan(0);
    a.close();
    b.close();
  });

  // D6: the import/pull cursor is the newest applied HLC of an origin. One forged event in origin A's folder,
  // stamped a few minutes ahead (inside the drift bound), moves B's cursor for A past A's real edits of the next
  // minutes: B never pulls or applies them, ever (A never observes its own folder, so A keeps stamping lower).
  it('purge of a stream that has not arrived, then its content arrives', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(2));
    await a.meta({ op: 'purge', stream: 'notes' }).catch(() => undefined);
    await a.sync(url, { create: true });
    const c = await origin('gamma', 3);
    await c.sync(url);
    expect(c.streams({ includeTrashed: true })).toEqual([]);
    a.close(); b.close(); c.close();
    void bucket;
  });

  it('an older event delivered after a newer one of its origin was applied is still pulled and relayed', async () => {
    const laptopT = freshTarget();
    const deskT = freshTarget();
    const relayT = freshTarget();
    const desk = await origin('desk', 1);
    const laptop = await origin('laptop', 2);
    const third = await origin('third', 3);
    await desk.append('notes', bodies(2));
    await desk.sync(laptopT.url, { create: true });
    await laptop.sync(laptopT.url);
    const gid = `${desk.origin}~notes`;
    await laptop.meta({ op: 'star', stream: gid });
    await laptop.meta({ op: 'rename', stream: gid, value: 'Ledger' });
    await laptop.sync(laptopT.url);
    // The copy tool carries desk's content, then only laptop's NEWER event (the rename) to desk's bucket.
    for (const o of await laptopT.bucket.origins()) {
      for (const dir of ['checkpoints', 'manifests', 'segments']) {
        for (const k of await laptopT.bucket.list(`${o}/${dir}/`)) await deskT.bucket.putIfAbsent(k, (await laptopT.bucket.get(k))!);
      }
    }
    const metaKeys = await laptopT.bucket.list(`${laptop.origin}/meta/`);
    expect(metaKeys).toHaveLength(2);
    await deskT.bucket.putIfAbsent(metaKeys[1]!, (await laptopT.bucket.get(metaKeys[1]!))!);
    await desk.sync(deskT.url, { create: true });
    expect(desk.streams()[0]).toMatchObject({ title: 'Ledger', starred: false });
    // The older event (the star) arrives late.
    await deskT.bucket.putIfAbsent(metaKeys[0]!, (await laptopT.bucket.get(metaKeys[0]!))!);
    await desk.sync(deskT.url);
    expect(desk.streams()[0]).toMatchObject({ title: 'Ledger', starred: true });
    // And desk relays it to a target that only gets desk's pushes.
    await desk.sync(relayT.url, { create: true });
    await third.sync(relayT.url);
    expect(third.streams()[0]).toMatchObject({ title: 'Ledger', starred: true });
    for (const c of [desk, laptop, third]) c.close();
  });
});

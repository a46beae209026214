import * as path from 'node:path';
import { openCairn, parseArtifactKey } from '../../src';
import { dumpReadModel } from '../helpers/readModelDump';
import { freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const ledger = (home: string): Record<string, unknown[]> => dumpReadModel(path.join(home, 'cairn.db'), ['registers', 'conflicts', 'meta_events']);

/** Kinds of the meta keys in a bucket for one origin: how many single events and how many packs. */
async function metaKinds(bucket: ReturnType<typeof freshTarget>['bucket'], origin: string): Promise<{ events: number; packs: number }> {
  const kinds = (await bucket.list(`${origin}/meta/`)).map((k) => parseArtifactKey(k)?.ref.kind);
  return { events: kinds.filter((k) => k === 'meta').length, packs: kinds.filter((k) => k === 'metaPack').length };
}

describe('metadata packs', () => {
  it('the author folds its events into packs; a new replica replays the ledger from the packs and the tail', async () => {
    const { url, bucket } = freshTarget();
    const homeA = tempHome('alpha', 1);
    const homeB = tempHome('beta', 2);
    const a = await openCairn({ home: homeA, clock: steppingClock(), metaPackThreshold: 4 });
    await a.append('notes', [{ text: 'one' }, { text: 'two' }]);
    for (let i = 0; i < 10; i++) await a.meta({ op: 'rename', stream: 'notes', value: `title ${i}` });
    await a.meta({ op: 'pin', stream: 'notes', ordinal: 1 });
    const first = await a.sync(url, { create: true });
    // 11 events: one pack of all of them (a run is packed whole when it reaches the threshold), and the
    // events it folds are not pushed one by one.
    expect(await metaKinds(bucket, a.origin)).toEqual({ events: 0, packs: 1 });
    expect(first.failures).toEqual([]);
    for (let i = 10; i < 12; i++) await a.meta({ op: 'rename', stream: 'notes', value: `title ${i}` });
    await a.sync(url); // two more: below the threshold, they stay single events for now
    expect(await metaKinds(bucket, a.origin)).toEqual({ events: 2, packs: 1 });

    const b = await openCairn({ home: homeB, clock: steppingClock() });
    const synced = await b.sync(url);
    // Content (segment, manifest, checkpoint), one pack and the two-event tail: 6 artifacts, not 16.
    // Imported: 13 metadata events, and the stream's segment, manifest and checkpoint.
    expect({ pulled: synced.pulled, events: synced.imported.events, failures: synced.failures }).toEqual({ pulled: 6, events: 16, failures: [] });
    expect(b.streams()[0]!.title).toBe('title 11');
    expect(b.show(`${a.origin}~notes`).entries.map((e) => e.pinned)).toEqual([false, true]);
    const again = await b.sync(url);
    expect({ pulled: again.pulled, pushed: again.pushed, events: again.imported.events }).toEqual({ pulled: 0, pushed: 0, events: 0 });

    // B relays A's pack to a new target, and not the folded events one by one.
    const other = freshTarget();
    await b.sync(other.url, { create: true });
    expect(await metaKinds(other.bucket, a.origin)).toEqual({ events: 2, packs: 1 });

    // The next own edit continues A's chain; a rebuild replays packs and single events alike.
    await a.meta({ op: 'star', stream: 'notes' });
    await a.sync(url);
    await b.sync(url);
    await b.rebuild();
    a.close();
    b.close();
    const la = ledger(homeA);
    expect(la.meta_events).toHaveLength(14);
    expect(ledger(homeB)).toEqual(la);
  });

  it('a pack the copy tool delivers before the events before it is still applied in full', async () => {
    const src = freshTarget();
    const dst = freshTarget();
    const a = await openCairn({ home: tempHome('alpha', 3), clock: steppingClock(), metaPackThreshold: 2 });
    await a.append('notes', [{ text: 'one' }]);
    await a.meta({ op: 'rename', stream: 'notes', value: 'A' });
    await a.meta({ op: 'star', stream: 'notes' });
    await a.sync(src.url, { create: true }); // pack 1: rename, star
    await a.meta({ op: 'rename', stream: 'notes', value: 'B' });
    await a.meta({ op: 'unstar', stream: 'notes' });
    await a.sync(src.url); // pack 2: rename, unstar
    const keys = (await src.bucket.list(`${a.origin}/meta/`, { after: `${a.origin}/meta/pack-` })).sort();
    expect(keys).toHaveLength(2);
    // The copy tool: content, then only the second pack.
    for (const dir of ['checkpoints', 'manifests', 'segments']) for (const k of await src.bucket.list(`${a.origin}/${dir}/`)) await dst.bucket.putIfAbsent(k, (await src.bucket.get(k))!);
    await dst.bucket.putIfAbsent(keys[1]!, (await src.bucket.get(keys[1]!))!);
    const b = await openCairn({ home: tempHome('beta', 4), clock: steppingClock() });
    await b.sync(dst.url);
    expect(b.streams()[0]).toMatchObject({ title: 'B', starred: false });
    // The first pack arrives late: its events still count, and the registers are what A has.
    await dst.bucket.putIfAbsent(keys[0]!, (await src.bucket.get(keys[0]!))!);
    const late = await b.sync(dst.url);
    expect(late.imported.events).toBe(2);
    expect(b.streams()[0]).toMatchObject({ title: 'B', starred: false });
    expect(b.conflicts()).toEqual(a.conflicts());
    a.close();
    b.close();
  });
});

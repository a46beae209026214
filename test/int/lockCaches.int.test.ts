import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCairn } from '../../src';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

/**
 * Two instances on one home stand for two processes: each takes the store's lock per operation, and what one
 * cached must not survive the other's turn (regressions for the caches the lock made refreshable).
 */
describe('after another process held the lock, what this one cached is read again', () => {
  it("the read model: another process's rebuild replaced the database, and our writes land in the new one", async () => {
    const home = tempHome();
    const a = await openCairn({ home, clock: steppingClock() });
    const b = await openCairn({ home, clock: steppingClock() });
    await a.append('s', [{ n: 0 }]);
    await b.rebuild();
    await a.append('s', [{ n: 1 }]);
    expect(b.show('s').entries.map((e) => e.body)).toEqual([{ n: 0 }, { n: 1 }]);
    a.close();
    b.close();
    const c = await openCairn({ home, database: path.join(home, 'cairn.db'), skipCatchUp: true });
    expect(c.show('s').entries).toHaveLength(2);
    c.close();
  });

  it("the hybrid logical clock: an edit made after another process's edit wins, even with a slower wall clock", async () => {
    const home = tempHome();
    const a = await openCairn({ home, clock: steppingClock(T0) });
    const b = await openCairn({ home, clock: steppingClock(T0 + 3_600_000) }); // an hour ahead
    await a.append('s', [{ n: 0 }]);
    await a.meta({ op: 'rename', stream: 's', value: 'first (a)' });
    await b.meta({ op: 'rename', stream: 's', value: 'second (b)' });
    await a.meta({ op: 'rename', stream: 's', value: 'third (a)' });
    expect(a.streams()[0]!.title).toBe('third (a)');
    a.close();
    b.close();
  });

  it('the journal state: appends and exports of another process are seen before our next append', async () => {
    const home = tempHome();
    const a = await openCairn({ home, clock: steppingClock() });
    const b = await openCairn({ home, clock: steppingClock() });
    await a.append('s', [{ who: 'a' }]);
    await b.append('s', [{ who: 'b' }]);
    await b.export();
    await b.append('s', [{ who: 'b' }]);
    await a.append('s', [{ who: 'a' }]);
    await a.export();
    expect(a.show('s').entries.map((e) => e.ordinal)).toEqual([0, 1, 2, 3]);
    a.close();
    b.close();
  });
});

describe('status is read from the store, not from what this process cached', () => {
  it("this origin's checkpoint is the one another process exported last", async () => {
    const home = tempHome();
    const a = await openCairn({ home, clock: steppingClock() });
    const b = await openCairn({ home, clock: steppingClock() });
    await a.append('s', [{ n: 0 }]);
    await a.export();
    expect(await a.status()).toMatchObject({ checkpoint: 1, pending: 0 });
    await b.append('s', [{ n: 1 }]);
    await b.export();
    expect(await b.status()).toMatchObject({ checkpoint: 2, pending: 0 });
    expect(await a.status()).toMatchObject({ checkpoint: 2, pending: 0 });
    a.close();
    b.close();
  });
});

describe('the metadata projection asks the database, not a cache, which streams have edits', () => {
  it("a pin imported by another process before its entry arrived is applied when this process imports the entry", async () => {
    const x = await openCairn({ home: tempHome('xeno', 7), clock: steppingClock() });
    await x.append('s', Array.from({ length: 11 }, (_, n) => ({ n })));
    await x.meta({ op: 'pin', stream: 's', ordinal: 10 });
    const full = tempDir();
    await x.sync(full, { create: true });
    const gid = x.gid('s');
    x.close();
    // A target that holds only the metadata (the content has not arrived there yet).
    const metaOnly = tempDir();
    const origin = gid.split('~')[0]!;
    fs.cpSync(path.join(full, origin, 'meta'), path.join(metaOnly, origin, 'meta'), { recursive: true });

    const home = tempHome();
    const a = await openCairn({ home, clock: steppingClock() }); // opened first: what it knew then has no edits
    const b = await openCairn({ home, clock: steppingClock() });
    await b.sync(metaOnly);
    b.close();
    await a.sync(full);
    expect(a.show(gid, { from: 10 }).entries[0]).toMatchObject({ ordinal: 10, pinned: true });
    a.close();
  });
});

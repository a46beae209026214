import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCairn } from '../../src';
import { freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const MINUTE = 60_000;

/**
 * `sync --init` on a store curated before it ever synced. Curation is always a ledger event (ADR 0006), so
 * the baseline is those events with their own HLCs: fields that no peer has a register for take the local
 * value everywhere, and a peer's later edit of the same field is not outranked by the late publication.
 */
describe('baseline of local curation made before sync was enabled', () => {
  it('publishes the local values of fields without a register, and never outranks newer peer metadata', async () => {
    const target = freshTarget();
    const homeA = tempHome('alpha', 1);
    const a = await openCairn({ home: homeA, clock: steppingClock(T0) });
    const b = await openCairn({ home: tempHome('beta', 2), clock: steppingClock(T0 + MINUTE) });
    await a.append('notes', [{ text: 'one' }, { text: 'two' }]);
    // Local curation, before any sync: a title, a star, a pin.
    await a.meta({ op: 'rename', stream: 'notes', value: 'Local title' });
    await a.meta({ op: 'star', stream: 'notes' });
    await a.meta({ op: 'pin', stream: 'notes', ordinal: 1 });
    await a.export();
    // The content alone reaches the peer (no metadata), and the peer renames the stream a minute later.
    // (A copy of the store's content folders, made before this store synced anything.)
    for (const dir of ['segments', 'manifests', 'checkpoints']) {
      const folder = path.join(homeA, 'artifacts', a.origin, dir);
      for (const name of fs.readdirSync(folder)) await target.bucket.putIfAbsent(`${a.origin}/${dir}/${name}`, fs.readFileSync(path.join(folder, name)));
    }
    await b.sync(target.url);
    const gid = `${a.origin}~notes`;
    expect(b.streams()[0]).toMatchObject({ id: gid, title: null, starred: false });
    await b.meta({ op: 'rename', stream: gid, value: 'Peer title' });
    await b.sync(target.url);

    // Now A enables sync with the shared target.
    const first = await a.sync(target.url, { create: true });
    expect(first.failures).toEqual([]);
    await b.sync(target.url);
    for (const c of [a, b]) {
      const s = c.streams()[0]!;
      // The peer's newer title stands; the star and the pin, which no peer had set, are the local baseline.
      expect({ title: s.title, starred: s.starred, pinned: c.show(gid).entries.map((e) => e.pinned) }).toEqual({ title: 'Peer title', starred: true, pinned: [false, true] });
    }
    // The older local title lost to a concurrent edit from another origin: it is in the conflict log, not lost.
    expect(a.conflicts()).toEqual(b.conflicts());
    expect(a.conflicts()).toEqual([
      expect.objectContaining({ field: 'title', winner: expect.objectContaining({ value: 'Peer title', origin: b.origin }), loser: expect.objectContaining({ value: 'Local title', origin: a.origin }) }),
    ]);
    // Running it again publishes nothing more.
    const again = await a.sync(target.url, { create: true });
    expect({ pushed: again.pushed, pulled: again.pulled }).toEqual({ pushed: 0, pulled: 0 });
    a.close();
    b.close();
  });
});

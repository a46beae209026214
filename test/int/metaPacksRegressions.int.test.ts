import { openCairn, parseArtifactKey } from '../../src';
import { bodies, freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

describe('regression: metadata packs', () => {
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

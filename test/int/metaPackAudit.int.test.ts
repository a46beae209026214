import { openCairn, parseArtifactKey, type Cairn } from '../../src';
import { PACK_AUDIT_INTERVAL_MS } from '../../src/application/services/MetaPackPush';
import { memoryTarget } from '../../src/plugins/memory-store';
import { hookedTransport } from '../helpers/hookedTransport';
import { bodies } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const localBytes = async (c: Cairn, key: string): Promise<Buffer> =>
  Buffer.from((await (c as unknown as { deps: { store: { get(k: string): Promise<Uint8Array> } } }).deps.store.get(key))!);

describe('the audit of packs at a target', () => {
  it('a no-op sync reads back at most one pack per origin, once per interval, rotating through them; damage is replaced when its turn comes', async () => {
    const counted = hookedTransport('counted');
    const name = `audit${process.pid}`;
    const bucket = memoryTarget(name);
    const url = `counted://${name}`;
    const clock = steppingClock(T0);
    const a = await openCairn({ home: tempHome('alpha', 1), clock, metaPackThreshold: 2, plugins: [counted.plugin] });
    await a.append('notes', bodies(1));
    for (let i = 0; i < 10; i++) {
      await a.meta({ op: 'rename', stream: 'notes', value: `t${i}` });
      if (i % 2 === 1) await a.sync(url); // a pack of the two events since the last sync (a run is packed whole)
    }
    const packs = (await bucket.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'metaPack');
    expect(packs).toHaveLength(5);
    const packReads = (): string[] => counted.tally.gets.filter((k) => k.includes('/meta/pack-'));

    // Bit rot in the fourth pack; nobody reads it (every replica that needs it has it).
    const rotten = Buffer.from((await bucket.get(packs[3]!))!);
    rotten[rotten.length >> 1] ^= 0x01;
    await bucket.delete(packs[3]!);
    await bucket.putIfAbsent(packs[3]!, rotten);

    let t = T0 + 60_000;
    const audited: string[][] = [];
    for (let round = 0; round < 6; round++) {
      // Within the interval: a no-op sync reads no pack at all.
      counted.reset();
      const quiet = await a.sync(url);
      expect({ round, reads: packReads(), pushed: quiet.pushed }).toEqual({ round, reads: [], pushed: 0 });
      clock.set((t += PACK_AUDIT_INTERVAL_MS + 60_000));
      counted.reset();
      const r = await a.sync(url);
      expect(r.failures).toEqual([]);
      audited.push(packReads());
      if (round === 2) expect(r.pushed).toBe(1); // the damaged copy, replaced
    }
    // One pack per due sync, in name order, wrapping around (the set-up's second sync audited the first pack);
    // the damaged one is read twice, then replaced.
    expect(audited).toEqual([[packs[1]], [packs[2]], [packs[3], packs[3]], [packs[4]], [packs[0]], [packs[1]]]);
    expect(Buffer.from((await bucket.get(packs[3]!))!).equals(await localBytes(a, packs[3]!))).toBe(true);
    // The author never fell back to pushing the folded events one by one.
    expect((await bucket.list(`${a.origin}/meta/`)).filter((k) => parseArtifactKey(k)?.ref.kind === 'meta')).toEqual([]);
    a.close();
  });
});

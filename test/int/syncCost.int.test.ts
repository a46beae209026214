import { ContainerModule } from 'inversify';
import { definePlugin, openCairn, TOKENS, type Transport, type TransportFactory } from '../../src';
import { memoryTarget } from '../../src/plugins/memory-store';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

/** A third-party transport that counts what crosses it (wraps an in-process bucket). */
interface Tally {
  gets: string[];
  lists: string[];
  puts: string[];
  has: number;
  bytesIn: number;
  bytesOut: number;
}
const tally: Tally = { gets: [], lists: [], puts: [], has: 0, bytesIn: 0, bytesOut: 0 };
const reset = (): void => {
  Object.assign(tally, { gets: [], lists: [], puts: [], has: 0, bytesIn: 0, bytesOut: 0 });
};

const countingFactory: TransportFactory = {
  schemes: ['counting'],
  async create(url) {
    const inner = memoryTarget(url.slice('counting://'.length));
    const t: Transport = {
      url,
      putIfAbsent: async (k, b) => {
        tally.puts.push(k);
        const o = await inner.putIfAbsent(k, b);
        if (o === 'created') tally.bytesIn += b.length;
        return o;
      },
      get: async (k) => {
        tally.gets.push(k);
        const b = await inner.get(k);
        tally.bytesOut += b?.length ?? 0;
        return b;
      },
      has: async (k) => (tally.has++, inner.has(k)),
      list: async (p, o) => (tally.lists.push(p), inner.list(p, o)),
      origins: () => inner.origins(),
      delete: (k) => inner.delete(k),
      close: async () => undefined,
    };
    return t;
  },
};
const countingPlugin = definePlugin({
  name: 'counting-transport',
  kind: 'transport',
  schemes: ['counting'],
  fromOptions: () => new ContainerModule(({ bind }) => void bind(TOKENS.TransportFactory).toConstantValue(countingFactory)),
});

const open = (name: string, seed: number) => openCairn({ home: tempHome(name, seed), clock: steppingClock(), plugins: [countingPlugin as never] });

describe('the cost of a sync follows what changed, not the archive size', () => {
  it('100,000 entries, then a no-op sync, then a 100-entry increment', async () => {
    const url = 'counting://cost';
    memoryTarget('cost');
    const a = await open('alpha', 1);
    const b = await open('beta', 2);
    for (let i = 0; i < 100_000; i += 10_000) {
      await a.append('big', Array.from({ length: 10_000 }, (_, j) => ({ n: i + j, text: `entry ${i + j}: a line about rivers, stones and the weather ${(i + j) % 97}` })));
    }
    await a.append('small', [{ text: 'a second stream' }]);
    await a.sync(url);
    const initial = await b.sync(url);
    expect(initial.imported.entries).toBe(100_001);

    // A second sync with nothing new reads O(origins) small files, not the archive.
    reset();
    const noop = await b.sync(url);
    expect(noop).toMatchObject({ pushed: 0, pulled: 0, imported: { entries: 0 } });
    expect(tally.gets.filter((k) => !k.includes('/checkpoints/'))).toEqual([]); // no segment or manifest is read
    expect(tally.gets.length).toBeLessThanOrEqual(2); // one checkpoint per origin at most (the fork check)
    expect(tally.lists.length).toBeLessThanOrEqual(4); // checkpoints of each origin, pull and push
    expect(tally.puts).toEqual([]);

    // 100 new entries on the big stream move about those entries compressed, plus a manifest and a checkpoint.
    await a.append('big', Array.from({ length: 100 }, (_, j) => ({ n: 100_000 + j, text: `entry ${100_000 + j}: a line about rivers, stones and the weather ${j % 97}` })));
    const canonical = Buffer.byteLength(
      Array.from({ length: 100 }, (_, j) => JSON.stringify({ body: { n: 100_000 + j, text: `entry ${100_000 + j}: a line about rivers, stones and the weather ${j % 97}` }, ordinal: 100_000 + j, ts: '2026-11-22T10:00:00.000Z' })).join('\n'),
    );
    reset();
    const push = await a.sync(url);
    expect(push.pushed).toBe(3); // one segment, one manifest, one checkpoint
    expect(tally.puts.map((k) => k.split('/')[1]).sort()).toEqual(['checkpoints', 'manifests', 'segments']);
    reset();
    const pull = await b.sync(url);
    expect(pull.imported.entries).toBe(100);
    expect(pull.pulled).toBe(3);
    expect(pull.bytes.pulled).toBeLessThan(canonical); // compressed, and the manifest and checkpoint are small
    expect(tally.gets.filter((k) => k.includes('/segments/'))).toHaveLength(1);
    a.close();
    b.close();
  });
});

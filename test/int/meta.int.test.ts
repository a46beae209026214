import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { definePlugin, encodeMetaEvent, formatHlc, msToNs, openCairn, TOKENS, type MetadataField, type OriginId } from '../../src';
import { steppingClock, removeTempDirs, tempHome } from '../helpers/tempHome';
import { bodies, freshTarget, origin } from '../helpers/syncFixtures';
import { dumpReadModel } from '../helpers/readModelDump';

afterAll(removeTempDirs);

const dump = (file: string): Record<string, unknown[]> => dumpReadModel(file, ['registers', 'conflicts', 'purged', 'meta_events', 'streams']);

describe('metadata ledger', () => {
  it('an edit that changes nothing emits nothing', async () => {
    const a = await origin('alpha', 1);
    await a.append('notes', bodies(2));
    expect((await a.meta({ op: 'unstar', stream: 'notes' })).event).toBeNull(); // unstarred by default
    expect((await a.meta({ op: 'star', stream: 'notes' })).event).toMatch(/^\d{20}\.\d{6}$/);
    expect((await a.meta({ op: 'star', stream: 'notes' })).event).toBeNull();
    expect((await a.meta({ op: 'rename', stream: 'notes', value: 'Garden' })).event).not.toBeNull();
    expect((await a.meta({ op: 'rename', stream: 'notes', value: 'Garden' })).event).toBeNull();
    expect(a.streams()[0]).toMatchObject({ title: 'Garden', starred: true });
    a.close();
  });

  it('writes the event durably first: if the write fails, nothing visible changes', async () => {
    const home = tempHome('alpha', 1);
    const a = await openCairn({ home, clock: steppingClock() });
    await a.append('notes', bodies(1));
    fs.mkdirSync(path.join(home, 'artifacts', a.origin), { recursive: true });
    fs.writeFileSync(path.join(home, 'artifacts', a.origin, 'meta'), 'a file where the folder goes');
    await expect(a.meta({ op: 'star', stream: 'notes' })).rejects.toThrow();
    expect(a.streams()[0]!.starred).toBe(false);
    a.close();
  });

  it('a local clock that jumps backwards never blocks local edits', async () => {
    const clock = steppingClock();
    const a = await openCairn({ home: tempHome('alpha', 1), clock });
    await a.append('notes', bodies(1));
    const first = (await a.meta({ op: 'rename', stream: 'notes', value: 'one' })).event!;
    clock.set(Date.parse('2001-01-01T00:00:00Z'));
    const second = (await a.meta({ op: 'rename', stream: 'notes', value: 'two' })).event!;
    expect(second > first).toBe(true);
    expect(a.streams()[0]!.title).toBe('two');
    a.close();
  });

  it('concurrent edits converge to the same winner everywhere, and the loser is in every conflict log', async () => {
    const { url } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(2));
    await a.sync(url, { create: true });
    await b.sync(url);
    // Both rename the same stream without seeing each other's edit.
    await a.meta({ op: 'rename', stream: 'notes', value: 'from alpha' });
    await b.meta({ op: 'rename', stream: `${a.origin}~notes`, value: 'from beta' });
    await a.sync(url);
    const rb = await b.sync(url);
    await a.sync(url);
    expect(rb.conflicts).toBe(1);
    expect(a.streams()[0]!.title).toBe(b.streams()[0]!.title);
    expect(a.conflicts()).toEqual(b.conflicts());
    expect(a.conflicts()).toHaveLength(1);
    const [c] = a.conflicts();
    expect(c!.field).toBe('title');
    expect([c!.winner.value, c!.loser.value].sort()).toEqual(['from alpha', 'from beta']);
    // A sequential edit (after seeing the other) is not a conflict.
    await a.meta({ op: 'rename', stream: 'notes', value: 'agreed' });
    await a.sync(url);
    await b.sync(url);
    expect(b.streams()[0]!.title).toBe('agreed');
    expect(b.conflicts()).toHaveLength(1);
    for (const x of [a, b]) {
      const home = x.home;
      x.close();
      const fresh = path.join(home, 'rebuilt.db');
      const r = await openCairn({ home, database: fresh, skipCatchUp: true });
      await r.rebuild();
      r.close();
      expect(dump(fresh)).toEqual(dump(path.join(home, 'cairn.db')));
    }
  });

  it('purge is a tombstone: the stream disappears everywhere and never comes back, even from a late peer', async () => {
    const t1 = freshTarget();
    const t2 = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    const late = await origin('late', 3);
    await a.append('notes', bodies(3));
    await a.sync(t1.url, { create: true });
    await late.sync(t1.url); // a late peer that keeps the content
    await late.sync(t2.url, { create: true });
    await a.meta({ op: 'purge', stream: 'notes' });
    expect(a.streams({ includeTrashed: true })).toEqual([]);
    await expect(a.append('notes', bodies(1))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await a.sync(t1.url);
    await b.sync(t1.url);
    expect(b.streams({ includeTrashed: true })).toEqual([]);
    await b.sync(t2.url); // the late peer's copy of the content arrives after the purge
    expect(b.streams({ includeTrashed: true })).toEqual([]);
    await b.rebuild();
    expect(b.streams({ includeTrashed: true })).toEqual([]);
    for (const x of [a, b, late]) x.close();
  });

  it('trash and restore are reversible, last writer wins', async () => {
    const a = await origin('alpha', 1);
    await a.append('notes', bodies(1));
    await a.meta({ op: 'trash', stream: 'notes' });
    expect(a.streams()).toEqual([]);
    expect(a.streams({ includeTrashed: true })[0]!.trashed).toBe(true);
    await a.meta({ op: 'restore', stream: 'notes' });
    expect(a.streams()[0]!.trashed).toBe(false);
    a.close();
  });

  it('an event whose target has not arrived is deferred and applies when it arrives', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(2));
    await a.meta({ op: 'pin', stream: 'notes', ordinal: 1 });
    await a.sync(url, { create: true });
    const segs = await bucket.list(`${a.origin}/segments/`);
    const held = (await bucket.get(segs[0]!))!;
    await bucket.delete(segs[0]!);
    await b.sync(url); // the pin arrives, the stream does not
    expect(b.streams()).toEqual([]);
    await bucket.putIfAbsent(segs[0]!, held);
    await b.sync(url);
    expect(b.show(`${a.origin}~notes`).entries.map((e) => e.pinned)).toEqual([false, true]);
    a.close();
    b.close();
  });

  it('a forged far-future HLC is deferred by the drift bound and cannot win', async () => {
    const { url, bucket } = freshTarget();
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(1));
    await a.sync(url, { create: true });
    const future = formatHlc({ ns: msToNs(Date.parse('2099-01-01T00:00:00Z')), c: 0 });
    const forged = encodeMetaEvent({ hlc: future, origin: a.origin as OriginId, target: { stream: `${a.origin}~notes` as never }, op: 'rename', field: 'title', value: 'forever' });
    await bucket.putIfAbsent(`${a.origin}/meta/${future}-${forged.hash}.json`, forged.bytes);
    const r = await b.sync(url);
    expect(r.deferred).toBeGreaterThan(0);
    await b.meta({ op: 'rename', stream: `${a.origin}~notes`, value: 'mine' });
    expect(b.streams()[0]!.title).toBe('mine');
    a.close();
    b.close();
  });

  it('an op no plugin understands is kept, relayed, and applied after a plugin registers it', async () => {
    const colour: MetadataField = { name: 'colour', validate: (v) => (typeof v === 'string' ? null : 'a colour is a string') };
    const plugin = definePlugin({
      name: 'colour-field',
      kind: 'metadata',
      fromOptions: () => new ContainerModule(({ bind }) => void bind(TOKENS.MetadataField).toConstantValue(colour)),
    });
    const { url } = freshTarget();
    const homeA = tempHome('alpha', 1);
    const homeB = tempHome('beta', 2);
    const a = await openCairn({ home: homeA, clock: steppingClock(), plugins: [plugin as never], use: [{ name: 'colour-field' }] });
    await a.append('notes', bodies(1));
    expect((await a.meta({ op: 'set', stream: 'notes', field: 'colour', value: 'green' })).event).not.toBeNull();
    await a.sync(url, { create: true });
    let b = await openCairn({ home: homeB, clock: steppingClock() });
    await b.sync(url);
    expect(b.streams()[0]!.entries).toBe(1);
    const rm = (): unknown => (b as unknown as { deps: { readModel: { register(s: string, o: null, f: string): unknown } } }).deps.readModel.register(`${a.origin}~notes`, null, 'colour');
    expect(rm()).toBeNull(); // kept, not applied
    b.close();
    b = await openCairn({ home: homeB, clock: steppingClock(), plugins: [plugin as never], use: [{ name: 'colour-field' }] });
    expect(rm()).toMatchObject({ value: 'green' }); // applied after the "upgrade"
    a.close();
    b.close();
  });
});

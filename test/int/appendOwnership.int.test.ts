import * as path from 'node:path';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';
import { dumpReadModel } from '../helpers/readModelDump';
import { sha256Hex } from '../../src/domain';
import { expectCode } from '../../src/testing';

afterAll(removeTempDirs);

describe('append takes a copy of what it was given', () => {
  it('a caller that changes a body after append changes neither what export seals nor what a replica gets', async () => {
    // Given an origin that appended a body and then kept using the object
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock() });
    const body = { text: 'as appended', tags: ['one'] };
    await a.append('notes', [body]);
    body.text = 'changed afterwards';
    body.tags.push('two');

    // When it exports and a replica syncs
    const folder = tempDir();
    await a.sync(folder, { create: true });
    const b = await openCairn({ home: tempHome('bravo', 2), clock: steppingClock() });
    await b.sync(folder);

    // Then every copy holds what was appended: the journal's version, the read model's and the segment's agree
    const expected = [{ ordinal: 0, body: { text: 'as appended', tags: ['one'] } }];
    const gid = `${a.origin}~notes`;
    expect(a.show(gid).entries.map(({ ordinal, body: x }) => ({ ordinal, body: x }))).toEqual(expected);
    expect(b.show(gid).entries.map(({ ordinal, body: x }) => ({ ordinal, body: x }))).toEqual(expected);
    a.close();
    b.close();
  });
});

describe('append owns the bodies from the moment it encodes them', () => {
  it('a body the caller changes while its append still runs (between two journal records) reaches no copy: read model, search, events and rebuild agree', async () => {
    // Given an append of 1,001 bodies (two journal records), and a caller that changes the last body as soon
    // as the first record is visible (here from a subscriber; a timer or another task can do the same)
    const home = tempHome('alpha', 1);
    const a = await openCairn({ home, clock: steppingClock() });
    const bodies = Array.from({ length: 1001 }, (_, n) => ({ n, text: 'granite' }));
    const last = bodies[1000]!;
    const seen: unknown[] = [];
    const sub = a.events$.subscribe((e) => {
      if (e.type !== 'EntriesAppended') return;
      last.text = 'changed';
      for (const x of e.entries) if (x.ordinal === 1000) seen.push(structuredClone(x.body));
    });
    await a.append('notes', bodies);
    sub.unsubscribe();

    // Then what the read model holds and what it finds are what the journal holds
    const expected = { n: 1000, text: 'granite' };
    expect(a.show('notes', { from: 1000 }).entries.map((e) => e.body)).toEqual([expected]);
    expect(a.search('changed')).toEqual([]);
    expect(a.search('granite')).toHaveLength(50); // the default limit: every entry says granite
    const origin = dumpReadModel(path.join(home, 'cairn.db'));

    // And the database equals its rebuild, and subscribers saw what the journal holds
    const rebuilt = path.join(tempDir(), 'rebuilt.db');
    const r = await openCairn({ home, clock: steppingClock(), database: rebuilt, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dumpReadModel(rebuilt)).toEqual(origin);
    expect(seen).toEqual([expected]);
    a.close();
  });

  it('the in-memory store: what export seals from the journal is what the read model shows', async () => {
    // Given an in-memory store and the same caller, who changes the last body while the append runs
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock(), store: 'memory-store', storeOptions: {}, database: ':memory:' });
    const bodies = Array.from({ length: 1001 }, (_, n) => ({ n, text: 'granite' }));
    const sub = a.events$.subscribe((e) => {
      if (e.type === 'EntriesAppended') bodies[1000]!.text = 'changed';
    });
    await a.append('notes', bodies);
    sub.unsubscribe();
    const before = a.show('notes', { from: 1000 }).entries.map((e) => e.body);

    // When it exports and replays its store into an empty read model
    await a.export();
    await a.rebuild();

    // Then the sealed entry is the one the read model showed, and the one the journal acknowledged
    expect(before).toEqual([{ n: 1000, text: 'granite' }]);
    expect(a.show('notes', { from: 1000 }).entries.map((e) => e.body)).toEqual(before);
    expect(a.search('changed')).toEqual([]);
    a.close();
  });

  it.each([
    ['grows', (list: unknown[]) => list.push({ n: 'late' })],
    ['shrinks', (list: unknown[]) => list.splice(500)],
  ])('the list of bodies %s while its append runs: exactly the bodies it was given are appended', async (_how, change) => {
    // Given an append of 1,001 bodies (two journal records), and a caller that changes the list itself as
    // soon as the first record is visible
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock() });
    const bodies: unknown[] = Array.from({ length: 1001 }, (_, n) => ({ n }));
    let changed = false;
    const sub = a.events$.subscribe(() => {
      if (!changed) change(bodies);
      changed = true;
    });

    // When the append returns
    const result = await a.append('notes', bodies as never);
    sub.unsubscribe();

    // Then it appended the 1,001 bodies it was given, and says so
    expect(result).toMatchObject({ appended: 1001, lastOrdinal: 1000 });
    expect(a.show('notes', { limit: 2000 }).entries.map((e) => e.body)).toEqual(Array.from({ length: 1001 }, (_, n) => ({ n })));
    a.close();
  });

  /** A member that answers its reads in turn from `answers` (the last one from then on): a getter or a proxy. */
  function flipping<T>(answers: T[]): () => T {
    let reads = 0;
    return () => answers[Math.min(reads++, answers.length - 1)]!;
  }

  it('a body that reads shallow once and deep later is refused: the journal never holds an entry that export refuses', async () => {
    // Given a body whose member reads deep to the first walk, shallow to the depth check, deep to the encoder
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock() });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = [deep];
    const x = flipping([deep, 'shallow', deep]);

    // When it is appended, it is refused as too deep, and nothing is appended
    await expectCode(() => a.append('notes', [{ get x() { return x(); } }] as never), 'ENTRY_TOO_LARGE');
    await a.append('notes', [{ text: 'granite' }]);

    // Then the stream exports and a replica receives what was appended
    const folder = tempDir();
    await a.sync(folder, { create: true });
    const b = await openCairn({ home: tempHome('bravo', 2), clock: steppingClock() });
    expect(await b.sync(folder)).toMatchObject({ failures: [], quarantined: 0, imported: { entries: 1 } });
    expect(b.show(`${a.origin}~notes`).entries.map((e) => e.body)).toEqual([{ text: 'granite' }]);
    a.close();
    b.close();
  });

  it('a blob reference that a getter shows only to a later read is checked: an entry never references a blob the store lacks', async () => {
    // Given a body whose $blob reads as a non-hash to the walk and as a hash of bytes never stored afterwards
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock() });
    const missing = sha256Hex(new TextEncoder().encode('never stored'));
    const blob = flipping(['not a hash', missing]);
    const ref = { get $blob() { return blob(); }, size: 12 };

    // When it is appended, what is stored is what the walk read: no blob reference, nothing to check
    await a.append('notes', [{ file: ref }] as never);
    expect(a.show('notes').entries.map((e) => e.body)).toEqual([{ file: { $blob: 'not a hash', size: 12 } }]);

    // And a blob reference the walk reads is checked, whatever a later read says
    const later = flipping([missing, 'not a hash']);
    await expect(a.append('notes', [{ file: { get $blob() { return later(); }, size: 12 } }] as never)).rejects.toThrow(/not in the store/);

    // Then export, push and a replica's import all succeed: no segment references a missing blob
    const folder = tempDir();
    expect(await a.sync(folder, { create: true })).toMatchObject({ failures: [] });
    const b = await openCairn({ home: tempHome('bravo', 2), clock: steppingClock() });
    expect(await b.sync(folder)).toMatchObject({ failures: [], deferred: 0, imported: { entries: 1 } });
    a.close();
    b.close();
  });
  it('a subscriber that changes the list of entries it was given cannot change the ordinals that follow', async () => {
    // Given an append of 1,001 bodies (two journal records), and a subscriber that drops the last entry of the
    // first event's list (its own copy to play with, as far as it knows)
    const home = tempHome('alpha', 1);
    const a = await openCairn({ home, clock: steppingClock() });
    let first = true;
    const sub = a.events$.subscribe((e) => {
      if (e.type !== 'EntriesAppended' || !first) return;
      first = false;
      (e.entries as unknown[]).pop();
    });
    const result = await a.append('notes', Array.from({ length: 1001 }, (_, n) => ({ n })));
    sub.unsubscribe();

    // Then the append reports its 1,001 entries, the stream goes on at 1,001, and it exports and rebuilds
    expect(result).toMatchObject({ appended: 1001, lastOrdinal: 1000 });
    expect(await a.append('notes', [{ n: 1001 }])).toMatchObject({ lastOrdinal: 1001 });
    expect(await a.export()).toMatchObject({ streams: 1 });
    const all = a.show('notes', { limit: 2000 }).entries;
    expect(all.map((e) => [e.ordinal, e.body])).toEqual(Array.from({ length: 1002 }, (_, n) => [n, { n }]));
    const db = path.join(home, 'cairn.db');
    const rebuilt = path.join(tempDir(), 'rebuilt.db');
    a.close();
    const r = await openCairn({ home, clock: steppingClock(), database: rebuilt, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dumpReadModel(rebuilt)).toEqual(dumpReadModel(db));
  });
});

describe('append owns a new stream\'s attributes from the moment it checks them', () => {
  it('attributes whose getter answers differently on each read: the read model, the journal, the manifest, a replica and a rebuild hold what was checked', async () => {
    // Given attributes that read small to the checks, then deep (past the limit), then something else
    const home = tempHome('alpha', 1);
    const a = await openCairn({ home, clock: steppingClock() });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 80; i++) deep = [deep];
    const answers: unknown[] = ['checked', 'checked', deep, 'later'];
    let reads = 0;
    const attrs = { get note() { return answers[Math.min(reads++, answers.length - 1)]; } };

    // When a stream is created with them, exported, and synced to a replica
    await a.append('notes', [{ text: 'granite' }], { attrs: attrs as never });
    const folder = tempDir();
    expect(await a.sync(folder, { create: true })).toMatchObject({ failures: [] });
    const b = await openCairn({ home: tempHome('bravo', 2), clock: steppingClock() });
    expect(await b.sync(folder)).toMatchObject({ failures: [], quarantined: 0, imported: { entries: 1 } });

    // Then every copy holds the attributes as checked
    const streamsAt = (db: string) => (dumpReadModel(db, ['streams']).streams as { attrs: string }[]).map((s) => s.attrs);
    expect(streamsAt(path.join(home, 'cairn.db'))).toEqual(['{"note":"checked"}']);
    expect(streamsAt(path.join(b.home, 'cairn.db'))).toEqual(['{"note":"checked"}']);
    const rebuilt = path.join(tempDir(), 'rebuilt.db');
    a.close();
    const r = await openCairn({ home, clock: steppingClock(), database: rebuilt, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dumpReadModel(rebuilt)).toEqual(dumpReadModel(path.join(home, 'cairn.db')));
    b.close();
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { encodeName } from '../../src/plugins/file-store/FileJournal';
import { journalLine, type Json } from '../../src/domain';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';
import { dumpReadModel } from '../helpers/readModelDump';

afterAll(removeTempDirs);

const dump = (file: string): Record<string, unknown[]> => dumpReadModel(file);

/** The read model after incremental maintenance must equal a rebuild into a fresh file. */
async function expectRebuildEqualsIncremental(home: string): Promise<void> {
  const incremental = dump(path.join(home, 'cairn.db'));
  const fresh = path.join(home, `rebuilt-${Date.now()}.db`);
  const c = await openCairn({ home, database: fresh, skipCatchUp: true });
  await c.rebuild();
  c.close();
  expect(dump(fresh)).toEqual(incremental);
}

function nest(depth: number): unknown {
  let v: unknown = 'deep';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('regression: stream ids that reach the file system', () => {
  it('an acknowledged append to a dot-prefixed stream id survives export + rebuild', async () => {
    const home = tempHome();
    const c = await openCairn({ home });
    const r = await c.append('.hidden', [{ text: 'acknowledged' }]);
    expect(r.appended).toBe(1); // acknowledged, durable "before it returns"
    const exported = await c.export();
    await c.rebuild();
    const ids = c.streams().map((s) => s.stream);
    c.close();
    // FileJournal.streams() skips names starting with "." so the stream is neither exported nor replayed.
    expect(exported.streams).toBe(1);
    expect(ids).toContain('.hidden');
  });

  it('a valid 128-char stream id with many upper-case letters can be appended to', async () => {
    const home = tempHome();
    const c = await openCairn({ home });
    const id = 'A'.repeat(128); // valid per [A-Za-z0-9._-]{1,128}
    await expect(c.append(id, [{ x: 1 }])).resolves.toMatchObject({ appended: 1 });
    c.close();
  });
});

describe('regression: hostile bodies', () => {
  it('a deeply nested body is refused before it is written, and the store keeps working', async () => {
    const home = tempHome();
    let c = await openCairn({ home });
    await expect(c.append('s', [nest(65) as never])).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    await expect(c.append('s', [nest(5000) as never])).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    await c.append('s', [nest(60) as never]);
    c.close();
    c = await openCairn({ home });
    expect((await c.rebuild()).entries).toBe(1);
    c.close();
  });

  it('library: a non-object attrs is refused before it is written, not written and then unreadable', async () => {
    const home = tempHome();
    let c = await openCairn({ home });
    let appendError: unknown = null;
    try {
      await c.append('s', [{ a: 1 }], { attrs: ['not', 'an', 'object'] as never });
    } catch (err) {
      appendError = err;
    }
    c.close();
    // Whatever append did, the store must open afterwards.
    c = await openCairn({ home });
    c.close();
    expect(appendError).not.toBeNull();
  });
});

describe('regression: foreign or corrupt artifacts must not wedge the local origin', () => {
  it('a garbage checkpoint in another origin folder does not stop open/append/rebuild of this origin', async () => {
    const home = tempHome();
    let c = await openCairn({ home });
    await c.append('notes', [{ a: 1 }]);
    c.close();
    const dir = path.join(home, 'artifacts', 'peer-abcdef', 'checkpoints');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cp-0000000001.json'), 'garbage\n');
    c = await openCairn({ home });
    await c.append('notes', [{ a: 2 }]);
    c.close();
  });

  it('a checkpoint of a future format version from another origin is stored, not imported, and blocks nothing', async () => {
    const home = tempHome();
    let c = await openCairn({ home });
    await c.append('notes', [{ a: 1 }]);
    c.close();
    const dir = path.join(home, 'artifacts', 'peer-abcdef', 'checkpoints');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'cp-0000000001.json'),
      '{"full":true,"kind":"checkpoint","origin":"peer-abcdef","prev":null,"publishedAt":"2026-01-01T00:00:00.000Z","seq":1,"streams":{},"v":2}\n',
    );
    c = await openCairn({ home });
    await c.append('notes', [{ a: 2 }]);
    c.close();
  });
});

describe('regression: crashes inside export', () => {
  it('a crash after segments and manifests but before the checkpoint: reopen, re-export and rebuild agree', async () => {
    const home = tempHome();
    const clock = steppingClock();
    let c = await openCairn({ home, clock });
    await c.append('s', [{ a: 1 }, { a: 2 }]);
    // The checkpoint cannot be written (a folder stands at its name): segments and manifest are published.
    const cps = path.join(home, 'artifacts', c.origin, 'checkpoints', 'cp-0000000001.json');
    fs.mkdirSync(cps, { recursive: true });
    await expect(c.export()).rejects.toThrow();
    c.close();
    expect(fs.readdirSync(path.join(home, 'artifacts', c.origin)).sort()).toEqual(['checkpoints', 'manifests', 'segments']);
    fs.rmSync(cps, { recursive: true });

    c = await openCairn({ home, clock });
    expect(await c.status()).toMatchObject({ checkpoint: 0, pending: 2 });
    expect(await c.export()).toMatchObject({ checkpoint: 1, segments: 1 });
    expect(await c.status()).toMatchObject({ checkpoint: 1, pending: 0 });
    c.close();
    await expectRebuildEqualsIncremental(home);
  });

  it('in-process: a failed checkpoint publish leaves the entries pending, not claimed as sealed', async () => {
    const home = tempHome();
    const clock = steppingClock();
    const c = await openCairn({ home, clock });
    await c.append('s', [{ a: 1 }]);
    // Make the checkpoint publish fail: a file (not a dir) where checkpoints/ must go.
    const origin = c.origin;
    fs.mkdirSync(path.join(home, 'artifacts', origin), { recursive: true });
    fs.writeFileSync(path.join(home, 'artifacts', origin, 'checkpoints'), 'in the way');
    await expect(c.export()).rejects.toThrow();
    fs.rmSync(path.join(home, 'artifacts', origin, 'checkpoints'));
    const status = await c.status();
    c.close();
    expect(status?.pending).toBe(1);
  });
});

describe('regression: two writers on one home take turns under the store lock', () => {
  it('two instances appending and exporting at once both succeed, with dense ordinals, and rebuild agrees', async () => {
    const home = tempHome();
    const a = await openCairn({ home });
    const b = await openCairn({ home });
    for (let i = 0; i < 8; i++) {
      await Promise.all([a.append('s', [{ from: 'a', i }]), b.append('s', [{ from: 'b', i }]), (i % 2 ? a : b).export()]);
    }
    await a.export();
    const entries = a.show('s', { limit: 100 }).entries;
    a.close();
    b.close();
    expect(entries.map((e) => e.ordinal)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (const who of ['a', 'b']) {
      expect(entries.map((e) => e.body as { from: string; i: number }).filter((x) => x.from === who).map((x) => x.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
    await expectRebuildEqualsIncremental(home);
  });

  it('a journal where two records claim one ordinal (a writer that bypassed the lock) is corruption, never resolved silently', async () => {
    const home = tempHome();
    const a = await openCairn({ home });
    await a.append('s', [{ from: 'a' }]);
    a.close();
    const journal = path.join(home, 'journal', `${encodeName('s')}.ndjson`);
    // A well-formed record (its checksum matches) at the ordinal the last one holds.
    const last = JSON.parse(fs.readFileSync(journal, 'utf8').trimEnd().split('\n').at(-1)!) as { from: number; ts: string };
    fs.appendFileSync(journal, journalLine({ t: 'entries', from: last.from, ts: last.ts, bodies: [{ from: 'b' }] }));
    const c = await openCairn({ home, database: path.join(home, 'check.db'), skipCatchUp: true });
    await expect(c.rebuild()).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining('two processes may have appended') });
    c.close();
  });
});

describe('regression: journal corruption', () => {
  it('a damaged last (complete) journal line is an error, not silently dropped acknowledged entries', async () => {
    const home = tempHome();
    const clock = steppingClock();
    let c = await openCairn({ home, clock });
    await c.append('s', [{ v: 'first' }]);
    await c.append('s', [{ v: 'second, acknowledged' }]);
    c.close();
    const journal = path.join(home, 'journal', `${encodeName('s')}.ndjson`);
    const text = fs.readFileSync(journal, 'utf8');
    const ls = text.split('\n'); // [header, batch1, batch2, '']
    ls[ls.length - 2] = ls[ls.length - 2]!.replace('"bodies"', '"bodiez"');
    fs.writeFileSync(journal, ls.join('\n'));
    // Only the last line is damaged (the header line has no "bodies"); make sure of that:
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    expect(lines.filter((l) => l.includes('bodiez')).length).toBe(1);
    let error: unknown = null;
    try {
      c = await openCairn({ home, clock });
      await c.append('s', [{ v: 'third' }]);
      const shown = c.show('s').entries.map((e) => e.body);
      c.close();
      // If no error: the read model and the store now disagree (read model kept "second", journal has "third" at 1).
      await expectRebuildEqualsIncremental(home);
      expect(shown).toHaveLength(3);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('a damaged stream header line that still parses is an error, never sealed into a manifest and replicated', async () => {
    const home = tempHome();
    const c = await openCairn({ home, clock: steppingClock() });
    await c.append('s', [{ v: 1 }], { kind: 'notes', attrs: { owner: 'ann' } });
    const journal = path.join(home, 'journal', `${encodeName('s')}.ndjson`);
    const bytes = fs.readFileSync(journal);
    bytes[bytes.indexOf('"ann"') + 1] = 'b'.charCodeAt(0); // owner "ann" -> "bnn": a valid header still
    fs.writeFileSync(journal, bytes);
    await expect(c.export()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    c.close();
    expect(fs.existsSync(path.join(home, 'artifacts', c.origin, 'manifests'))).toBe(false);
  });
});

describe('regression: segment header size is budgeted', () => {
  it('entries that each fit the limits can always be exported (blob refs counted twice: body + header)', async () => {
    const home = tempHome();
    const c = await openCairn({ home });
    const refs = [];
    for (let i = 0; i < 800; i++) refs.push(await c.putBlob(new TextEncoder().encode(`blob ${i}`)));
    const filler = (o: number) => ({ t: 'x'.repeat(1_040_000), o });
    await c.append('s', [filler(0), filler(1), filler(2)]);
    // Fill the fourth entry up to the old segment budget (4 MiB - 64 KiB), with 800 blob references in it.
    const budget = 4 * 1024 * 1024 - 64 * 1024;
    const used = [0, 1, 2].reduce((n, o) => n + Buffer.byteLength(JSON.stringify({ body: filler(o), ordinal: o, ts: '2026-11-22T10:00:00.000Z' })) + 1, 0);
    const probe = { pad: '', refs };
    const probeLen = Buffer.byteLength(JSON.stringify({ body: probe, ordinal: 3, ts: '2026-11-22T10:00:00.000Z' })) + 1;
    await c.append('s', [{ pad: 'y'.repeat(budget - used - probeLen - 10), refs } as never]);
    let error: unknown = null;
    try {
      await c.export();
    } catch (err) {
      error = err;
    }
    c.close();
    expect(error).toBeNull(); // was SEGMENT_TOO_LARGE on every export: the journal could never be sealed
  });
});

describe('regression: the clock and the CLI input', () => {
  it('a clock past year 9999 is refused before anything is written', async () => {
    const home = tempHome();
    const c = await openCairn({ home, clock: { now: () => Date.parse('9999-12-31T23:59:59.000Z') + 86_400_000 } });
    await expect(c.append('s', [1])).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(c.streams()).toEqual([]);
    c.close();
  });

  it('rebuild counts streams that live only in the journal', async () => {
    const home = tempHome();
    const c = await openCairn({ home });
    await c.append('a', [1]);
    await c.append('b', [2]);
    expect(await c.rebuild()).toMatchObject({ streams: 2, entries: 2 });
    c.close();
  });

  it('a large append is checked whole before anything is written', async () => {
    const home = tempHome();
    const c = await openCairn({ home });
    const bodies: Json[] = Array.from({ length: 1500 }, (_, i) => (i === 1200 ? { t: 'x'.repeat(1_100_000) } : { i }) as Json);
    await expect(c.append('s', bodies)).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    expect(c.streams()).toEqual([]);
    const ok = await c.append('s', bodies.filter((_, i) => i !== 1200));
    expect(ok).toMatchObject({ appended: 1499, lastOrdinal: 1498 });
    c.close();
  });
});

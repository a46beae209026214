import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cairn, type CliResult, type ShowJson, type StatusJson } from '../helpers/cli';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);

const ndjson = (...bodies: unknown[]): string => bodies.map((b) => JSON.stringify(b)).join('\n') + '\n';

/** Exactly one JSON document on stdout (CliResult.json throws otherwise), exit 0, nothing on stderr. */
function ok<T = any>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  expect(r.stderr).toBe('');
  return r.json<T>();
}

interface Home {
  readonly name: string;
  readonly home: string;
  origin: string;
}

describe('cairn sync through one shared folder (real binary, three homes)', () => {
  const root = tempDir('cairn-sync-cli-');
  const folder = path.join(root, 'shared');
  const homes: Home[] = ['a', 'b', 'c'].map((name) => ({ name, home: path.join(root, name), origin: '' }));
  const [a, b, c] = homes as [Home, Home, Home];
  // Each home writes its own streams, with one word no other home uses.
  const writes: Record<string, { stream: string; kind: string; bodies: unknown[] }[]> = {
    a: [
      { stream: 'notes', kind: 'notes', bodies: [{ text: 'garlic by the fence' }, { text: 'tomatoes need water' }, 'plain string from a'] },
      { stream: 'log', kind: 'log', bodies: [{ level: 'info', msg: 'started' }, { level: 'warn', msg: 'disk nearly full' }] },
    ],
    b: [{ stream: 'notes', kind: 'notes', bodies: [{ text: 'the lantern by the harbor' }, { text: 'moss on the north wall' }, [1, 2, 3], { text: 'lantern oil bought' }] }],
    c: [
      { stream: 'ideas', kind: 'ideas', bodies: [{ text: 'a quartz sundial' }] },
      { stream: 'ideas.later', kind: 'ideas', bodies: [{ text: 'a cobalt kiln', tags: ['kiln', 'glaze'] }, null, 42] },
    ],
  };
  const word: Record<string, string> = { a: 'garlic', b: 'lantern', c: 'quartz' };

  it('a missing folder is an error (exit 1, one line) until --init creates it; no target is a usage error', () => {
    for (const h of homes) {
      const init = cairn(['init', '--name', h.name, '--json'], { home: h.home });
      h.origin = ok(init).origin;
      expect(h.origin).toMatch(new RegExp(`^${h.name}-[0-9a-f]{6}$`));
    }

    const missing = cairn(['sync', folder], { home: a.home });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^cairn: .*shared.*--init/);
    const missingJson = cairn(['sync', folder, '--json'], { home: a.home });
    expect(missingJson.code).toBe(1);
    expect(missingJson.json().error).toEqual({ code: expect.any(String), message: expect.stringContaining(folder) });
    expect(missingJson.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(folder)).toBe(false);

    const noTarget = cairn(['sync'], { home: a.home });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr.trim().split('\n')).toHaveLength(1);
    const noTargetJson = cairn(['sync', '--json'], { home: a.home });
    expect(noTargetJson.code).toBe(2);
    expect(noTargetJson.json().error.code).toBe('USAGE');

    const notAFolder = path.join(root, 'a-file');
    fs.writeFileSync(notAFolder, 'not a folder');
    const file = cairn(['sync', notAFolder, '--json'], { home: a.home });
    expect(file.code).toBe(1);
    expect(file.json().error.message).toContain(notAFolder);

    // --init creates the folder; an empty home has nothing to push and nothing to pull.
    const created = ok(cairn(['sync', folder, '--init', '--json'], { home: a.home }));
    expect(fs.statSync(folder).isDirectory()).toBe(true);
    expect(created).toMatchObject({ target: pathToFileURL(folder).href, pushed: 0, pulled: 0, quarantined: 0, failures: [] });
  });

  it('appends on each home, syncs each in turn twice around, and everyone ends with everything', () => {
    for (const h of homes) {
      for (const w of writes[h.name]!) {
        const r = ok(cairn(['append', w.stream, '--kind', w.kind, '--json'], { home: h.home, input: ndjson(...w.bodies) }));
        expect(r).toEqual({ stream: `${h.origin}~${w.stream}`, appended: w.bodies.length, lastOrdinal: w.bodies.length - 1 });
      }
    }

    // Round one: a pushes; b pulls a and pushes; c pulls a and b and pushes. Round two: everyone catches up.
    // c names the folder by its file:// URL, the others by path: the same target either way.
    const target = (h: Home): string => (h === c ? pathToFileURL(folder).href : folder);
    const results: Record<string, any[]> = { a: [], b: [], c: [] };
    for (let round = 0; round < 2; round++) {
      for (const h of homes) {
        const r = cairn(['sync', target(h), '--json'], { home: h.home });
        expect(r.stdout.trim().split('\n')).toHaveLength(1); // exactly one JSON document, on one line
        const result = ok(r);
        expect(result).toMatchObject({ target: pathToFileURL(folder).href, deferred: 0, quarantined: 0, conflicts: 0, failures: [] });
        results[h.name]!.push(result);
      }
    }
    const entriesOf = (name: string): number => writes[name]!.reduce((n, w) => n + w.bodies.length, 0);
    const streamsOf = (name: string): number => writes[name]!.length;
    // Round one.
    expect(results.a![0]).toMatchObject({ exported: { checkpoint: 1, streams: 2 }, pulled: 0, imported: { entries: 0 } });
    expect(results.a![0].pushed).toBeGreaterThan(0);
    expect(results.b![0]).toMatchObject({ imported: { streams: streamsOf('a'), entries: entriesOf('a') } });
    expect(results.c![0]).toMatchObject({ imported: { streams: streamsOf('a') + streamsOf('b'), entries: entriesOf('a') + entriesOf('b') } });
    // Round two: a learns b and c, b learns c, c has nothing new; nobody has anything of its own to export.
    expect(results.a![1]).toMatchObject({ exported: { checkpoint: null }, pushed: 0, imported: { streams: streamsOf('b') + streamsOf('c'), entries: entriesOf('b') + entriesOf('c') } });
    expect(results.b![1]).toMatchObject({ exported: { checkpoint: null }, pushed: 0, imported: { streams: streamsOf('c'), entries: entriesOf('c') } });
    expect(results.c![1]).toMatchObject({ exported: { checkpoint: null }, pushed: 0, pulled: 0, imported: { streams: 0, entries: 0 } });
    for (const h of homes) {
      const pulled = results[h.name]!.reduce((n, r) => n + r.pulled, 0);
      const bytes = results[h.name]!.reduce((n, r) => n + r.bytes.pulled, 0);
      expect(pulled > 0).toBe(bytes > 0);
    }
  });

  it('lists every origin’s streams on every home, with the same entries', () => {
    const expected = homes
      .flatMap((h) => writes[h.name]!.map((w) => ({ id: `${h.origin}~${w.stream}`, origin: h.origin, kind: w.kind, entries: w.bodies.length })))
      .sort((x, y) => x.id.localeCompare(y.id));
    const shown: Record<string, unknown>[] = [];
    for (const h of homes) {
      const streams = ok<any[]>(cairn(['streams', '--json'], { home: h.home }));
      const got = streams.map((s) => ({ id: s.id, origin: s.origin, kind: s.kind, entries: s.entries })).sort((x, y) => x.id.localeCompare(y.id));
      expect({ home: h.name, streams: got }).toEqual({ home: h.name, streams: expected });

      // Each stream reads the same everywhere, by its global id, with the bodies its writer appended.
      const shows: Record<string, unknown> = {};
      for (const owner of homes) {
        for (const w of writes[owner.name]!) {
          const gid = `${owner.origin}~${w.stream}`;
          const show = ok<ShowJson>(cairn(['show', gid, '--json'], { home: h.home }));
          expect(show.stream).toBe(gid);
          expect(show.entries.map((e) => e.body)).toEqual(w.bodies);
          shows[gid] = show.entries;
        }
      }
      shown.push(shows);
    }
    expect(shown[1]).toEqual(shown[0]);
    expect(shown[2]).toEqual(shown[0]);
  });

  it('finds other origins’ entries by full-text search, under their global ids', () => {
    for (const h of homes) {
      for (const owner of homes) {
        const hits = ok<any[]>(cairn(['search', word[owner.name]!, '--json'], { home: h.home }));
        expect(hits.length).toBeGreaterThan(0);
        for (const hit of hits) expect(hit.stream.startsWith(`${owner.origin}~`)).toBe(true);
        expect(hits[0].snippet).toContain(`[${word[owner.name]}]`);
      }
    }
    const lantern = ok<any[]>(cairn(['search', 'lantern', '--json'], { home: c.home }));
    expect(lantern.map((h) => [h.stream, h.ordinal]).sort()).toEqual([
      [`${b.origin}~notes`, 0],
      [`${b.origin}~notes`, 3],
    ]);
    const kiln = ok<any[]>(cairn(['search', 'kiln', '--json'], { home: a.home }));
    expect(kiln.map((h) => [h.stream, h.ordinal])).toEqual([[`${c.origin}~ideas.later`, 0]]);
  });

  it('shows the other origins and their checkpoints in status', () => {
    const own: Record<string, number> = {};
    for (const h of homes) {
      const status = ok<StatusJson>(cairn(['status', '--json'], { home: h.home }));
      expect(status.origin).toBe(h.origin);
      expect(status.checkpoint).toBe(1);
      own[h.origin] = status.checkpoint;
    }
    const totalEntries = homes.reduce((n, h) => n + writes[h.name]!.reduce((m, w) => m + w.bodies.length, 0), 0);
    for (const h of homes) {
      const status = ok<StatusJson>(cairn(['status', '--json'], { home: h.home }));
      expect(status.entries).toBe(totalEntries);
      expect(status.streams).toBe(5);
      for (const other of homes.filter((o) => o !== h)) {
        const row = status.origins.find((o) => o.origin === other.origin);
        expect({ home: h.name, row }).toEqual({
          home: h.name,
          row: expect.objectContaining({
            origin: other.origin,
            checkpoint: own[other.origin],
            streams: writes[other.name]!.length,
            entries: writes[other.name]!.reduce((m, w) => m + w.bodies.length, 0),
          }),
        });
        expect(row?.lastPublishedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
      }
    }
  });

  it('a repeat sync moves nothing, and the human form is one summary line', () => {
    for (const h of homes) {
      const again = ok(cairn(['sync', folder, '--json'], { home: h.home }));
      expect(again).toMatchObject({ pushed: 0, pulled: 0, bytes: { pushed: 0, pulled: 0 }, imported: { streams: 0, entries: 0, events: 0 }, deferred: 0, failures: [] });
      expect(again.exported.checkpoint).toBeNull();
    }
    const human = cairn(['sync', folder], { home: b.home });
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split('\n')).toHaveLength(1);
    expect(human.stdout).toMatch(/pushed 0\b.*pulled 0\b/);

    // A new entry on one home travels in one sync each way.
    ok(cairn(['append', 'notes', '--json'], { home: b.home, input: ndjson({ text: 'late lantern note' }) }));
    const up = ok(cairn(['sync', folder, '--json'], { home: b.home }));
    expect(up).toMatchObject({ exported: { checkpoint: 2, streams: 1, segments: 1 }, pulled: 0 });
    expect(up.pushed).toBeGreaterThan(0);
    const down = ok(cairn(['sync', folder, '--json'], { home: a.home }));
    expect(down).toMatchObject({ pushed: 0, imported: { streams: 1, entries: 1 } });
    const late = ok<ShowJson>(cairn(['show', `${b.origin}~notes`, '--from', '4', '--json'], { home: a.home }));
    expect(late.entries.map((e) => e.body)).toEqual([{ text: 'late lantern note' }]);
  });
});

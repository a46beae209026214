import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, type ShowJson } from '../helpers/cli';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);

const ndjson = (...bodies: unknown[]): string => bodies.map((b) => JSON.stringify(b)).join('\n') + '\n';

describe('cairn CLI (real binary)', () => {
  it('lists every command in --help and exits 0; with no command it exits 2', () => {
    const help = cairn(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['init', 'append', 'export', 'sync', 'streams', 'show', 'search', 'status', 'rebuild', 'demo']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
    expect(cairn([]).code).toBe(2);
    expect(cairn(['append', '--help']).stdout).toContain('usage: cairn append <stream>');
  });

  it('reports usage errors with exit 2 and one line', () => {
    const home = path.join(tempDir(), 'h');
    const unknown = cairn(['frobnicate', '--json'], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.json().error.code).toBe('USAGE');
    const badFlag = cairn(['streams', '--bogus'], { home });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^cairn: .*bogus/);
    expect(cairn(['show'], { home }).code).toBe(2);
  });

  it('refuses to work on a home that was never initialised', () => {
    const home = path.join(tempDir(), 'nothing-here');
    const r = cairn(['streams', '--json'], { home });
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('STORE_NOT_INITIALIZED');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cairn init');
    expect(fs.existsSync(home)).toBe(false);
  });

  it('walks through init, append, streams, show, search, export, status and rebuild', () => {
    const home = path.join(tempDir(), 'desk');
    const init = cairn(['init', '--name', 'desk', '--json'], { home });
    expect(init.code).toBe(0);
    const { origin } = init.json();
    expect(origin).toMatch(/^desk-[0-9a-f]{6}$/);
    expect(init.json().home).toBe(home);
    const again = cairn(['init', '--json'], { home });
    expect(again.json()).toMatchObject({ origin, created: false });

    const a1 = cairn(['append', 'notes', '--kind', 'notes', '--json'], { home, input: ndjson({ text: 'garlic by the fence' }, { text: 'tomatoes' }, 'plain string entry') });
    expect(a1.code).toBe(0);
    expect(a1.json()).toEqual({ stream: `${origin}~notes`, appended: 3, lastOrdinal: 2 });

    const file = path.join(tempDir(), 'more.ndjson');
    fs.writeFileSync(file, ndjson({ text: 'more garlic' }, [1, 2, 3]));
    expect(cairn(['append', 'notes', '--file', file, '--json'], { home }).json()).toMatchObject({ appended: 2, lastOrdinal: 4 });

    const streams = cairn(['streams', '--json'], { home }).json<any[]>();
    expect(streams).toEqual([
      expect.objectContaining({ id: `${origin}~notes`, origin, entries: 5, kind: 'notes', starred: false, trashed: false, title: null }),
    ]);
    expect(streams[0].updatedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);

    const show = cairn(['show', 'notes', '--from', '1', '--limit', '2', '--json'], { home }).json<ShowJson>();
    expect(show.stream).toBe(`${origin}~notes`);
    expect(show.entries.map((e) => [e.ordinal, e.body])).toEqual([[1, { text: 'tomatoes' }], [2, 'plain string entry']]);
    expect(cairn(['show', `${origin}~notes`, '--json'], { home }).json().entries).toHaveLength(5);

    const hits = cairn(['search', 'garlic', '--json'], { home }).json<any[]>();
    expect(hits.map((h) => h.ordinal).sort()).toEqual([0, 3]);
    expect(hits[0].snippet).toContain('[garlic]');

    const exp = cairn(['export', '--json'], { home }).json();
    expect(exp).toMatchObject({ checkpoint: 1, streams: 1, segments: 1 });
    expect(exp.bytes).toBeGreaterThan(0);
    expect(cairn(['export', '--json'], { home }).json()).toEqual({ checkpoint: null, streams: 0, segments: 0, bytes: 0 });

    const status = cairn(['status', '--json'], { home }).json();
    expect(status).toMatchObject({ origin, home, streams: 1, entries: 5, pending: 0, checkpoint: 1 });
    expect(status.origins).toEqual([expect.objectContaining({ origin, checkpoint: 1, present: 1, published: 1, conflicts: 0 })]);

    for (const f of fs.readdirSync(home).filter((f) => f.startsWith('cairn.db'))) fs.rmSync(path.join(home, f));
    expect(cairn(['streams', '--json'], { home }).json()[0].entries).toBe(5);
    const rebuild = cairn(['rebuild', '--json'], { home }).json();
    expect(rebuild).toMatchObject({ streams: 1, entries: 5 });
    expect(typeof rebuild.ms).toBe('number');
    expect(cairn(['search', 'tomatoes', '--json'], { home }).json()).toHaveLength(1);
  });

  it('appends nothing when any input line is bad, and says which line', () => {
    const home = path.join(tempDir(), 'desk');
    cairn(['init'], { home });
    const r = cairn(['append', 'notes', '--json'], { home, input: '{"ok":1}\n{"broken":\n' });
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('INPUT_INVALID');
    expect(r.stderr).toContain('line 2');
    expect(cairn(['streams', '--json'], { home }).json()).toEqual([]);
  });

  it('gives each bad input its own error code', () => {
    const home = path.join(tempDir(), 'desk');
    cairn(['init'], { home });
    const codeOf = (args: string[], input = ''): string => cairn([...args, '--json'], { home, input }).json().error.code;
    expect(codeOf(['append', '../x'], '1\n')).toBe('STREAM_ID_INVALID');
    expect(codeOf(['append', 'Bad~x'], '1\n')).toBe('GLOBAL_ID_INVALID');
    expect(codeOf(['append', 'other-000001~x'], '1\n')).toBe('INPUT_INVALID');
    expect(codeOf(['show', 'missing'])).toBe('STREAM_NOT_FOUND');
    expect(codeOf(['streams', '--origin', 'local'])).toBe('ORIGIN_ID_INVALID');
    expect(codeOf(['append', 'big'], JSON.stringify({ text: 'x'.repeat(1_100_000) }) + '\n')).toBe('ENTRY_TOO_LARGE');
    cairn(['append', 'k', '--kind', 'a'], { home, input: '1\n' });
    expect(codeOf(['append', 'k', '--kind', 'b'], '2\n')).toBe('STREAM_KIND_MISMATCH');
    expect(cairn(['init', '--name', 'Bad Name'], { home: path.join(tempDir(), 'x') }).code).toBe(1);
  });

  it('runs the demo tour (three origins through one folder) and cleans up after itself', () => {
    const r = cairn(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('converged: all 3 origins');
    const dir = /cleaned up (\S+)/.exec(r.stdout)![1]!;
    expect(fs.existsSync(dir)).toBe(false);
  });
});

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { BIN, cairn, type CliResult } from '../helpers/cli';
import { dumpReadModel } from '../helpers/readModelDump';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

const TOKEN = 'e2e-token-0123456789abcdef';
const ndjson = (...bodies: unknown[]): string => bodies.map((b) => JSON.stringify(b)).join('\n') + '\n';

function ok<T = any>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  expect(r.stderr).toBe('');
  return r.json<T>();
}

describe('cairn serve + cairn sync http://… between three homes (real binaries)', () => {
  const root = tempDir('cairn-http-e2e-');
  const [a, b, c] = ['a', 'b', 'c'].map((n) => ({ name: n, home: path.join(root, n), origin: '' }));
  let serve: ServeProcess;

  afterAll(async () => {
    await serve?.stop();
    removeTempDirs();
  });

  it('serves a store on loopback and prints {url} first', async () => {
    for (const h of [a!, b!, c!]) h.origin = ok(cairn(['init', '--name', h.name, '--json'], { home: h.home })).origin;
    ok(cairn(['append', 'notes', '--kind', 'notes', '--json'], { home: a!.home, input: ndjson({ text: 'garlic by the fence' }, { text: 'more garlic' }) }));
    ok(cairn(['meta', 'rename', 'notes', 'Garden', '--json'], { home: a!.home }));
    ok(cairn(['append', 'notes', '--kind', 'notes', '--json'], { home: b!.home, input: ndjson({ text: 'the lantern by the harbor' }) }));
    ok(cairn(['append', 'ideas', '--kind', 'ideas', '--json'], { home: c!.home, input: ndjson({ text: 'a quartz sundial' }, { text: 'quartz again' }, 3) }));
    serve = await startServe(a!.home, [], { CAIRN_TOKEN: TOKEN });
    expect(serve.lines[0]).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), origin: a!.origin, home: a!.home });
  });

  it('refuses a sync without the token, or with a wrong one, in one line (exit 1)', () => {
    for (const args of [[], ['--token', 'wrong-token-0123456789abcdef']]) {
      const r = cairn(['sync', serve.url, '--json', ...args], { home: b!.home });
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe('AUTH_FAILED');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain(TOKEN);
    }
    const insecure = cairn(['sync', 'http://192.0.2.10:7420', '--json', '--token', TOKEN], { home: b!.home });
    expect(insecure.code).toBe(1);
    expect(insecure.json().error.code).toBe('INSECURE_TARGET');
  });

  it('syncs both ways: pushes what the peer lacks, pulls what we lack, and the peer imports what it received', async () => {
    const b1 = ok(cairn(['sync', serve.url, '--json', '--token', TOKEN], { home: b!.home }));
    expect(b1).toMatchObject({ target: serve.url, imported: { streams: 1, entries: 2 }, deferred: 0, quarantined: 0, failures: [] });
    expect(b1.pushed).toBeGreaterThan(0);
    ok(cairn(['meta', 'rename', `${a!.origin}~notes`, 'From B', '--json'], { home: b!.home }));
    const c1 = ok(cairn(['sync', serve.url, '--json'], { home: c!.home, env: { CAIRN_TOKEN: TOKEN } }));
    expect(c1).toMatchObject({ imported: { streams: 2, entries: 3 }, failures: [] });
    ok(cairn(['meta', 'rename', `${a!.origin}~notes`, 'From C', '--json'], { home: c!.home }));
    for (const h of [b!, c!, b!]) ok(cairn(['sync', serve.url, '--json', '--token', TOKEN], { home: h.home }));
    await serve.waitForLines(1 + 5); // one import per sync, each triggered at the end of the sync
    const imports = serve.lines.slice(1);
    expect(imports).toHaveLength(5);
    expect(imports.every((l) => l.event === 'import' && Array.isArray(l.failures) && (l.failures as unknown[]).length === 0)).toBe(true);
    // The peer imported B's one entry and C's three, as they arrived.
    expect(imports.reduce((n, l) => n + (l.entries as number), 0)).toBe(4);
    expect(imports.reduce((n, l) => n + (l.events as number), 0)).toBeGreaterThan(0);
  });

  it('stops cleanly on SIGTERM, and all three read models are identical (streams, entries, metadata, conflicts)', async () => {
    expect(await serve.stop()).toBe(0);
    expect(serve.stderr()).toBe('');
    const dumps = [a!, b!, c!].map((h) => dumpReadModel(path.join(h.home, 'cairn.db')));
    expect(dumps[0]!.entries).toHaveLength(6);
    expect(dumps[0]!.conflicts!.length).toBeGreaterThan(0);
    expect(dumps[1]).toEqual(dumps[0]);
    expect(dumps[2]).toEqual(dumps[0]);
    const streams = ok<{ id: string; title: string | null }[]>(cairn(['streams', '--json'], { home: a!.home }));
    expect(streams.map((s) => s.id).sort()).toEqual([`${a!.origin}~notes`, `${b!.origin}~notes`, `${c!.origin}~ideas`].sort());
    expect(streams.find((s) => s.id === `${a!.origin}~notes`)!.title).toMatch(/^From [BC]$/);
  });

  it('prints a human first line without --json, and stops on SIGINT with exit 0', async () => {
    const home = path.join(root, 'human');
    const id = ok(cairn(['init', '--name', 'human', '--json'], { home })).origin;
    const child = spawn(process.execPath, [BIN, 'serve', '--home', home, '--port', '0'], { env: { ...process.env, CAIRN_HOME: '' } });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      void exited.then((code) => reject(new Error(`serve exited ${code} before its first line: ${err}`)));
    });
    expect(firstLine).toMatch(new RegExp(`^serving .* \\(origin ${id}\\) at http://127\\.0\\.0\\.1:\\d+; Ctrl-C stops\\n$`));
    child.kill('SIGINT');
    expect({ code: await exited, err }).toEqual({ code: 0, err: '' });
  });
});

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openCairn } from '../../src';
import { cairn } from '../helpers/cli';
import { dumpReadModel } from '../helpers/readModelDump';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);

const CHILD = path.join(__dirname, '..', 'helpers', 'concurrentAppendChild.js');

function writer(home: string, who: string, count: number, batch?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, home, who, String(count), '2', ...(batch ? [String(batch)] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${who} exited ${code}: ${stderr}`))));
  });
}

describe('two processes writing to one home', () => {
  it('both succeed, with dense ordinals, each in its own order, and rebuild agrees (no STORE_CORRUPT)', async () => {
    const home = path.join(tempDir(), 'desk');
    expect(cairn(['init', '--name', 'desk'], { home }).code).toBe(0);
    await Promise.all([writer(home, 'a', 40), writer(home, 'b', 40)]);

    const c = await openCairn({ home });
    await c.export();
    const entries = c.show('shared', { limit: 1000 }).entries;
    c.close();
    expect(entries.map((e) => e.ordinal)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    const bodies = entries.map((e) => e.body as { who: string; i: number });
    for (const who of ['a', 'b']) expect(bodies.filter((b) => b.who === who).map((b) => b.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const turns = bodies.filter((b, i) => i > 0 && b.who !== bodies[i - 1]!.who).length;
    expect(turns).toBeGreaterThan(1); // they did interleave: each saw the other's appends and exports

    const fresh = path.join(home, 'rebuilt.db');
    const r = await openCairn({ home, database: fresh, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dumpReadModel(fresh)).toEqual(dumpReadModel(path.join(home, 'cairn.db')));
  });

  it('exporting in batches of checkpoints (each writer also has a stream of its own): every entry once, and rebuild agrees', async () => {
    const home = path.join(tempDir(), 'desk');
    expect(cairn(['init', '--name', 'desk'], { home }).code).toBe(0);
    await Promise.all([writer(home, 'a', 30, 2), writer(home, 'b', 30, 2)]);

    const c = await openCairn({ home });
    await c.export();
    const shared = c.show('shared', { limit: 1000 }).entries;
    expect(shared.map((e) => e.ordinal)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const who of ['a', 'b']) {
      expect(shared.map((e) => e.body as { who: string; i: number }).filter((b) => b.who === who).map((b) => b.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(c.show(`mine-${who}`, { limit: 1000 }).entries.map((e) => [e.ordinal, e.body])).toEqual(Array.from({ length: 30 }, (_, i) => [i, { who, i }]));
    }
    expect(await c.status()).toMatchObject({ pending: 0 });
    c.close();

    const fresh = path.join(home, 'rebuilt.db');
    const r = await openCairn({ home, database: fresh, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dumpReadModel(fresh)).toEqual(dumpReadModel(path.join(home, 'cairn.db')));
  });
});

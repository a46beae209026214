import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { dumpReadModel } from '../helpers/readModelDump';
import { peakRss, runCairn, startServe, type ServeProcess } from '../helpers/serveProcess';
import { bodies } from '../helpers/syncFixtures';
import { removeTempDirs, tempHome } from '../helpers/tempHome';

const CLIENTS = 8;
const ENTRIES = 500;
const BLOBS = 3;
const BLOB_BYTES = 2 * 1024 * 1024;
const MB = 1024 * 1024;
/**
 * A generous structural bound on the server's peak RSS: node with SQLite and zstd loaded (about 70 MB here), plus
 * its 64 MiB body budget, plus as much again for garbage not yet collected. The data the server moves in this
 * test (every client's blobs in, and out to seven others) is larger than the bound, so a server that held
 * what it serves, or buffered per connection without limit, would cross it.
 */
const RSS_BOUND = 300 * MB;

jest.setTimeout(300_000);

describe('8 clients syncing at once against one cairn serve', () => {
  let serve: ServeProcess | undefined;
  afterAll(async () => {
    await serve?.stop();
    removeTempDirs();
  });

  it('stay correct (everyone converges to the same read model) while the server’s memory stays bounded', async () => {
    const server = tempHome('srv', 100);
    const clients = Array.from({ length: CLIENTS }, (_, i) => tempHome(`c${i}`, 200 + i));
    for (const [i, home] of [server, ...clients].entries()) {
      const c = await openCairn({ home });
      await c.append('notes', bodies(ENTRIES, `word${i}`));
      if (home !== server) {
        for (let k = 0; k < BLOBS; k++) await c.append('files', [{ n: k, file: await c.putBlob(randomBytes(BLOB_BYTES)) }] as never);
      }
      c.close();
    }
    serve = await startServe(server);
    const rssAtStart = peakRss(serve.pid);

    const round = async (): Promise<{ pushed: number; pulled: number; bytes: { pushed: number; pulled: number }; deferred: number; failures: unknown[] }[]> => {
      const runs = await Promise.all(clients.map((home) => runCairn(['sync', serve!.url, '--json'], { home })));
      for (const r of runs) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      return runs.map((r) => JSON.parse(r.stdout));
    };
    const first = await round();
    const second = await round();
    for (const r of [...first, ...second]) expect(r.failures).toEqual([]);
    for (const r of second) expect(r.deferred).toBe(0);
    const moved = [...first, ...second].reduce((n, r) => n + r.bytes.pushed + r.bytes.pulled, 0);
    const peak = peakRss(serve.pid);
    expect(await serve.stop()).toBe(0);

    // Everyone converged: the server and the 8 clients hold one read model, with every entry of every origin.
    const dumps = [server, ...clients].map((home) => dumpReadModel(path.join(home, 'cairn.db')));
    expect(dumps[0]!.entries).toHaveLength((CLIENTS + 1) * ENTRIES + CLIENTS * BLOBS);
    for (const d of dumps.slice(1)) expect(d).toEqual(dumps[0]);

    // Bounded memory: the peak stays under the structural bound although more than the bound went through.
    process.stdout.write(`server peak RSS ${(peak / MB).toFixed(0)} MB (at start ${(rssAtStart / MB).toFixed(0)} MB); ${(moved / MB).toFixed(0)} MB moved\n`);
    expect(moved).toBeGreaterThan(RSS_BOUND);
    expect(peak).toBeLessThan(RSS_BOUND);
  });
});

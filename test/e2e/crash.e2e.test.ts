import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { removeTempDirs, tempHome } from '../helpers/tempHome';

const CHILD = path.join(__dirname, '..', 'helpers', 'appendChild.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { body } = require(CHILD) as { body: (n: number) => unknown };

afterAll(removeTempDirs);

/** Run the child until it has acknowledged `killAfter` appends plus a random delay, then SIGKILL it. */
function runAndKill(home: string, killAfterAcks: number, extraDelayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, home, '2000', '40'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = -1;
    let acks = 0;
    let buf = '';
    let killing = false;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\d+)$/.exec(line);
        if (m) {
          acked = Number(m[1]);
          acks++;
        }
      }
      if (acks >= killAfterAcks && !killing) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(acked);
      else reject(new Error(`child failed (${code}): ${stderr}`));
    });
  });
}

describe('kill -9 during append', () => {
  it.each([
    [1, 0],
    [2, 3],
    [3, 11],
    [5, 1],
    [6, 25],
  ])('after %i acknowledged batches (+%i ms) loses nothing acknowledged and never corrupts the store', async (acks, delay) => {
    const home = tempHome('crash');
    const acked = await runAndKill(home, acks, delay);
    expect(acked).toBeGreaterThanOrEqual(acks * 2000 - 1);

    // Reopen: the store must be readable, hold every acknowledged entry, densely, with the right content.
    const cairn = await openCairn({ home });
    const stream = cairn.streams().find((s) => s.stream === 'crash')!;
    expect(stream.entries).toBeGreaterThanOrEqual(acked + 1);
    expect(stream.entries % 1000).toBe(0); // a torn journal record (1,000 entries) is dropped whole, never half-applied
    const entries = cairn.show('crash', { from: 0, limit: stream.entries }).entries;
    expect(entries.map((e) => e.ordinal)).toEqual(Array.from({ length: stream.entries }, (_, i) => i));
    for (const e of entries) expect(e.body).toEqual(body(e.ordinal));

    // The store keeps working: append, export, and a rebuild agrees with what we saw.
    await cairn.append('crash', [body(stream.entries) as never]);
    await cairn.export();
    const rebuilt = await cairn.rebuild();
    expect(rebuilt.entries).toBe(stream.entries + 1);
    expect(cairn.streams()[0]!.entries).toBe(stream.entries + 1);
    cairn.close();
  });
});

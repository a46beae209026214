import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { overlapping, readHoldIntervals } from '../helpers/holdIntervals';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);

const CHILD = path.join(__dirname, '..', 'helpers', 'lockChild.js');

function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock child exited ${code}: ${stderr}`))));
  });
}

describe('the file lock under contention (8 processes × 50 cycles)', () => {
  it('counts to exactly 400, and no two holders ever overlap', async () => {
    const dir = tempDir('cairn-contention-');
    const counter = path.join(dir, 'counter');
    fs.writeFileSync(counter, '0');
    const logs = Array.from({ length: 8 }, (_, i) => path.join(dir, `log-${i}`));
    await Promise.all(logs.map((log) => runChild([path.join(dir, 'lock'), counter, log, '50', '10000'])));

    expect(fs.readFileSync(counter, 'utf8')).toBe('400');
    const intervals = readHoldIntervals(logs);
    expect(intervals).toHaveLength(400);
    expect(overlapping(intervals)).toEqual([]);
    // In holding order, the counter goes 1..400 and the fencing tokens strictly increase.
    expect(intervals.map((x) => x.value)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(intervals.every((x, i) => i === 0 || x.token > intervals[i - 1]!.token)).toBe(true);
  });
});

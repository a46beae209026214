import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

const CHILD = path.join(__dirname, '..', 'helpers', 'unclosedChild.js');

afterAll(removeTempDirs);

/** Run the child (from `dist`); it is killed if it has not exited after `timeoutMs`. */
function run(mode: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHILD, mode, tempDir()], { timeout: 30_000 }, (err, stdout, stderr) => {
      const e = err as { code?: number; signal?: string } | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

describe('the WAL checkpointer never keeps a process alive', () => {
  it('a process that leaves the checkpointer running exits by itself', async () => {
    const r = await run('checkpointer');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('running true\n');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it('a process that appended enough to start it, and never closed its cairn, exits by itself', async () => {
    const r = await run('cairn');
    expect(r.stderr).toBe('');
    expect(Number(/^wal (\d+)$/.exec(r.stdout.trim())?.[1])).toBeGreaterThan(4 * 1024 * 1024);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });
});

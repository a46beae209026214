import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLeaseStore, LeaseLock, systemLockClock, systemRandom, type LockHandle } from '../../src';
import { BIN, cairn } from '../helpers/cli';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);

/** A fresh home made by the CLI, with one entry. */
function home(): string {
  const h = path.join(tempDir(), 'desk');
  expect(cairn(['init', '--name', 'desk'], { home: h }).code).toBe(0);
  expect(cairn(['append', 'notes'], { home: h, input: '{"n":0}\n' }).code).toBe(0);
  return h;
}

/**
 * Hold the home's lock from this test process, as another cairn process would. The CLI runs synchronously
 * (spawnSync blocks this process's heartbeat), so the lease is long and the heartbeat frequent: a forced
 * release is heard within 200 ms of the CLI returning, never confused with a lease that ran out.
 */
function holdLock(h: string): Promise<LockHandle> {
  const options = { clock: systemLockClock, random: systemRandom, host: os.hostname(), pid: process.pid, ttlMs: 60_000, heartbeatMs: 200 };
  return new LeaseLock(new FileLeaseStore(path.join(h, 'lock')), options).acquire();
}

/**
 * Whether a cairn process has opened its store: it has the read model open (Linux: /proc/<pid>/fd). From
 * then on it only waits for the lock, with its Ctrl-C handler installed (within the same turn of the loop).
 */
function hasOpened(pid: number, h: string): boolean {
  const db = path.join(h, 'cairn.db');
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === db;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe('the store lock at the command line', () => {
  it('a held lock: exit 3 with one line naming the holder; reads still work; lock status names it', async () => {
    const h = home();
    const held = await holdLock(h);
    try {
      const r = cairn(['append', 'notes', '--lock-timeout', '0.2'], { home: h, input: '{"n":1}\n' });
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`held by pid ${process.pid} on host ${os.hostname()}`);
      const j = cairn(['export', '--json', '--lock-timeout', '0'], { home: h });
      expect(j.code).toBe(3);
      expect(j.json<{ error: { code: string } }>().error.code).toBe('LOCK_HELD');
      expect(cairn(['streams', '--json'], { home: h }).json<unknown[]>()).toHaveLength(1);
      const status = cairn(['lock', 'status', '--json'], { home: h }).json<{ held: boolean; holder: Record<string, unknown> }>();
      expect(status).toMatchObject({ held: true, holder: { pid: process.pid, host: os.hostname(), since: new Date(held.holder.acquiredAt).toISOString(), stale: false } });
      expect(Date.parse(status.holder.expires as string)).toBeGreaterThan(held.holder.acquiredAt);
    } finally {
      await held.release();
    }
    expect(cairn(['lock', 'status', '--json'], { home: h }).json()).toEqual({ held: false, holder: null });
    expect(cairn(['append', 'notes'], { home: h, input: '{"n":1}\n' }).code).toBe(0);
  });

  it('lock release --force prints who held it, and the holder loses the lock (its signal fires)', async () => {
    const h = home();
    const held = await holdLock(h);
    const lost = new Promise<unknown>((resolve) => held.signal.addEventListener('abort', () => resolve(held.signal.reason)));
    const usage = cairn(['lock', 'release'], { home: h });
    expect(usage.code).toBe(2);
    const r = cairn(['lock', 'release', '--force', '--json'], { home: h });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ released: true, held: true, holder: { pid: process.pid, host: os.hostname(), token: held.token } });
    expect(await lost).toMatchObject({ code: 'LOCK_LOST', message: expect.stringContaining('released by force') });
    expect(cairn(['lock', 'release', '--force'], { home: h }).stdout).toContain('not held');
    expect(cairn(['append', 'notes', '--lock-timeout', '0'], { home: h, input: '{"n":1}\n' }).code).toBe(0);
  });

  it('Ctrl-C while waiting for the lock: exit 130 (interrupted), nothing written', async () => {
    const h = home();
    const held = await holdLock(h);
    try {
      const child = spawn(process.execPath, [BIN, 'append', 'notes', '--home', h, '--lock-timeout', '60'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.stdin.end('{"n":1}\n');
      while (!hasOpened(child.pid!, h)) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 300)); // past the same-turn handler install, into the wait
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('interrupted');
    } finally {
      await held.release();
    }
    expect(cairn(['show', 'notes', '--json'], { home: h }).json<{ entries: unknown[] }>().entries).toHaveLength(1);
  });
});

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LeaseClaim } from '../../src/application/ports';
import { FileLeaseStore } from '../../src/plugins/file-store';
import { thisHost } from '../../src/plugins/file-store/hostIdentity';
import { encodeRecord, generationName } from '../../src/plugins/file-store/lockRecord';
import { MemoryLeaseStore, MemoryLockState } from '../../src/plugins/memory-store';
import { lockContract } from '../../src/testing';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);

lockContract('memory', () => {
  const state = new MemoryLockState();
  return { store: () => new MemoryLeaseStore(state) };
});

lockContract('file', () => {
  const dir = path.join(tempDir('cairn-lock-'), 'lock');
  return { store: () => new FileLeaseStore(dir) };
});

describe('file lock: what only a file lock has', () => {
  const T0 = Date.parse('2026-11-22T10:00:00.000Z');
  const claim = (owner: string): LeaseClaim => ({ owner, host: 'h', pid: process.pid, acquiredAt: T0, expiresAt: T0 + 60_000 });
  const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  const plant = (dir: string, token: number, record: object): void => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, generationName(token)), encodeRecord({ v: 1, token, ...record } as never));
  };
  const lease = (hostId: string, pid: number) => ({ owner: 'ghost', host: 'h', hostId, pid, acquiredAt: T0, expiresAt: T0 + 3_600_000 });

  it('takes over at once from a dead process on this host, though its lease has not run out', async () => {
    const dir = path.join(tempDir(), 'lock');
    plant(dir, 7, lease(thisHost().id, deadPid()));
    const got = await new FileLeaseStore(dir).tryAcquire(claim('me'), T0 + 1);
    expect(got).toMatchObject({ acquired: true, holder: { owner: 'me', token: 8 } });
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.lock'))).toEqual([generationName(8)]);
  });

  it('never judges a pid of another host (or pid namespace): it waits for the TTL', async () => {
    const dir = path.join(tempDir(), 'lock');
    plant(dir, 3, lease('0123456789abcdef', deadPid()));
    expect(await new FileLeaseStore(dir).tryAcquire(claim('me'), T0 + 1)).toMatchObject({ acquired: false, holder: { owner: 'ghost' } });
    expect(await new FileLeaseStore(dir).tryAcquire(claim('me'), T0 + 3_600_000)).toMatchObject({ acquired: true, holder: { token: 4 } });
  });

  it('the newest generation is the lock: an older name left in the folder is ignored', async () => {
    const dir = path.join(tempDir(), 'lock');
    plant(dir, 9, lease(thisHost().id, process.pid));
    plant(dir, 5, { ...lease(thisHost().id, process.pid), owner: 'slow' });
    const store = new FileLeaseStore(dir);
    expect((await store.inspect(T0))?.owner).toBe('ghost');
    expect(await store.tryAcquire(claim('me'), T0)).toMatchObject({ acquired: false, holder: { owner: 'ghost', token: 9 } });
  });

  it('an unreadable newest generation (what an OS crash can leave: lock files are not fsynced) is stale, and its token is never reused', async () => {
    const dir = path.join(tempDir(), 'lock');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, generationName(2)), '');
    const store = new FileLeaseStore(dir);
    expect(await store.inspect(T0)).toMatchObject({ owner: 'unknown', token: 2, stale: true });
    expect(await store.tryAcquire(claim('me'), T0)).toMatchObject({ acquired: true, holder: { token: 3 } });
    fs.writeFileSync(path.join(dir, generationName(4)), 'garbage');
    expect(await store.forceRelease()).toMatchObject({ owner: 'unknown', token: 4 });
    expect(await store.tryAcquire(claim('again'), T0)).toMatchObject({ acquired: true, holder: { token: 6 } });
  });

  it('leaves no temp files behind and keeps only the newest generation', async () => {
    const dir = path.join(tempDir(), 'lock');
    const store = new FileLeaseStore(dir);
    for (let i = 0; i < 5; i++) {
      const got = await store.tryAcquire(claim(`o${i}`), T0);
      if (!got.acquired) throw new Error('free lock refused');
      await store.renew(got.holder, T0 + 1_000);
      await store.release(got.holder);
    }
    expect(fs.readdirSync(dir)).toEqual([generationName(5)]);
  });
});

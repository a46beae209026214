import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LeaseLock } from '../application/ports/LeaseLock';
import type { LeaseStore, LockHandle } from '../application/ports/Lock';
import { isCairnError } from '../domain/errors';
import { expectCode } from './expectCode';
import { leaseStoreRules } from './leaseStoreRules';
import { ManualTime, type ManualLockClock } from './manualTime';

/** What a lock adapter gives the suite: clients of one lock, as many as it asks for (each a contender). */
export interface LockSubject {
  /** A new client of the one lock under test, as another process would open it. */
  store(): LeaseStore | Promise<LeaseStore>;
  cleanup?(): Promise<void> | void;
}

export const CONTRACT_TTL_MS = 3_000;

interface Contender {
  readonly lock: LeaseLock;
  readonly clock: ManualLockClock;
  readonly store: LeaseStore;
}

/**
 * The Lock contract: call inside a jest test file with a factory for a fresh, free lock of your adapter.
 * Time is virtual (ManualTime): TTLs pass without real waiting, and a holder is "paused" by stopping its
 * heartbeats. It checks the behaviours of the port (through LeaseLock) and the rules of the LeaseStore SPI.
 */
export function lockContract(name: string, make: () => Promise<LockSubject> | LockSubject): void {
  describe(`Lock contract: ${name}`, () => {
    let subject: LockSubject;
    let time: ManualTime;
    let seed = 0;
    const handles: LockHandle[] = [];
    const contender = async (): Promise<Contender> => {
      const clock = time.clock();
      const store = await subject.store();
      const n = ++seed;
      let draws = 0;
      const random = { hex: (bytes: number) => (n * 0x100000 + ++draws).toString(16).padStart(bytes * 2, '0').slice(-bytes * 2) };
      const lock = new LeaseLock(store, { clock, random, host: `contender-${n}`, pid: process.pid, ttlMs: CONTRACT_TTL_MS, retryMs: 100 });
      return { lock, clock, store };
    };
    const take = async (c: Contender, timeoutMs = 0): Promise<LockHandle> => {
      const handle = await c.lock.acquire({ timeoutMs });
      handles.push(handle);
      return handle;
    };

    beforeEach(async () => {
      time = new ManualTime();
      seed = 0;
      subject = await make();
    });
    afterEach(async () => {
      for (const h of handles.splice(0)) await h.release();
      await subject.cleanup?.();
    });

    it('grants the first caller, and inspect names it', async () => {
      const a = await contender();
      expect(await a.lock.inspect()).toBeNull();
      const h = await take(a);
      expect(h.token).toBeGreaterThanOrEqual(1);
      expect(h.signal.aborted).toBe(false);
      expect(h.holder).toMatchObject({ host: 'contender-1', pid: process.pid, token: h.token, acquiredAt: time.now(), expiresAt: time.now() + CONTRACT_TTL_MS });
      expect(await (await contender()).lock.inspect()).toEqual({ ...h.holder, stale: false });
    });

    it('refuses while held, naming the holder', async () => {
      const h = await take(await contender());
      const err = await (await contender()).lock.acquire({ timeoutMs: 0 }).catch((e: unknown) => e);
      expect(isCairnError(err, 'LOCK_HELD')).toBe(true);
      expect((err as Error).message).toContain(`pid ${process.pid} on host contender-1`);
      expect((err as { details?: { holder?: { owner?: string } } }).details?.holder?.owner).toBe(h.holder.owner);
    });

    it('times out after waiting, while the holder keeps its lease', async () => {
      const h = await take(await contender());
      const started = time.now();
      await expectCode((await contender()).lock.acquire({ timeoutMs: 1_000 }), 'LOCK_HELD');
      expect(time.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(h.signal.aborted).toBe(false);
    });

    it('is kept by the heartbeat for many TTLs', async () => {
      const h = await take(await contender());
      await expectCode((await contender()).lock.acquire({ timeoutMs: 4 * CONTRACT_TTL_MS }), 'LOCK_HELD');
      expect(h.signal.aborted).toBe(false);
      await h.confirm();
      expect(h.holder.expiresAt).toBeGreaterThan(time.now());
    });

    it('confirm renews an overdue lease inline, so a starved heartbeat timer does not lose the lock', async () => {
      const a = await contender();
      const ha = await take(a);
      a.clock.pause(); // its timer does not fire (a busy event loop); the work still calls confirm before writing
      time.jump((2 * CONTRACT_TTL_MS) / 3);
      await ha.confirm();
      time.jump((2 * CONTRACT_TTL_MS) / 3);
      await ha.confirm();
      expect(ha.signal.aborted).toBe(false);
      await expectCode((await contender()).lock.acquire({ timeoutMs: 0 }), 'LOCK_HELD');
    });

    it('hands over on release, with a greater token', async () => {
      const a = await take(await contender());
      await a.release();
      const b = await take(await contender());
      expect(b.token).toBeGreaterThan(a.token);
      expect(() => a.throwIfLost()).toThrow(/released/);
    });

    it('is taken over after its TTL when the holder stops renewing', async () => {
      const a = await contender();
      const ha = await take(a);
      a.clock.pause();
      const hb = await take(await contender(), 2 * CONTRACT_TTL_MS);
      expect(hb.token).toBeGreaterThan(ha.token);
      expect(time.now()).toBeGreaterThanOrEqual(ha.holder.expiresAt);
    });

    it('is lost by a paused holder: its signal fires, and its heartbeat never touches the new holder', async () => {
      const a = await contender();
      const ha = await take(a);
      a.clock.pause();
      const hb = await take(await contender(), 2 * CONTRACT_TTL_MS);
      a.clock.resume();
      await time.advance(CONTRACT_TTL_MS);
      expect(ha.signal.aborted).toBe(true);
      expect(isCairnError(ha.signal.reason, 'LOCK_LOST')).toBe(true);
      await expectCode(ha.confirm(), 'LOCK_LOST');
      expect((await a.lock.inspect())?.owner).toBe(hb.holder.owner);
      await hb.confirm();
    });

    it('runs out by the local clock even before any heartbeat learns of it (a process resumed after a pause)', async () => {
      const a = await contender();
      const ha = await take(a);
      a.clock.pause();
      await time.advance(CONTRACT_TTL_MS);
      expect(() => ha.throwIfLost()).toThrow(/ran out/);
      expect(ha.signal.aborted).toBe(true);
    });

    it('refuses a release by a non-owner: a holder that lost the lock cannot free it', async () => {
      const a = await contender();
      const ha = await take(a);
      a.clock.pause();
      const hb = await take(await contender(), 2 * CONTRACT_TTL_MS);
      await ha.release();
      expect((await a.lock.inspect())?.owner).toBe(hb.holder.owner);
      await expectCode((await contender()).lock.acquire({ timeoutMs: 0 }), 'LOCK_HELD');
    });

    it('breaks by force: returns the holder, whose signal fires, and the lock is free', async () => {
      const a = await contender();
      const ha = await take(a);
      const breaker = await contender();
      expect((await breaker.lock.forceRelease())?.owner).toBe(ha.holder.owner);
      expect(await breaker.lock.inspect()).toBeNull();
      expect(await breaker.lock.forceRelease()).toBeNull();
      const hc = await take(await contender());
      expect(hc.token).toBeGreaterThan(ha.token);
      await time.advance(CONTRACT_TTL_MS / 3);
      expect(ha.signal.aborted).toBe(true);
      await ha.release();
      expect((await a.lock.inspect())?.owner).toBe(hc.holder.owner);
    });

    it('stops waiting when the acquire signal fires', async () => {
      await take(await contender());
      const controller = new AbortController();
      controller.abort();
      await expectCode((await contender()).lock.acquire({ timeoutMs: 10_000, signal: controller.signal }), 'INTERRUPTED');
    });

    it('issues strictly increasing tokens across holders', async () => {
      const tokens: number[] = [];
      for (let i = 0; i < 6; i++) {
        const h = await take(await contender());
        tokens.push(h.token);
        await h.release();
      }
      expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
      expect(new Set(tokens).size).toBe(tokens.length);
    });

    leaseStoreRules(() => subject, () => time);
  });
}

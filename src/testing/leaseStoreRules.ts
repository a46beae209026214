import { describe, expect, it } from '@jest/globals';
import type { LeaseClaim } from '../application/ports/Lock';
import type { LockSubject } from './lockContract';
import type { ManualTime } from './manualTime';

const TTL = 3_000;

/** The LeaseStore SPI rules, checked on the adapter directly (part of `lockContract`). */
export function leaseStoreRules(subject: () => LockSubject, time: () => ManualTime): void {
  describe('LeaseStore rules', () => {
    const claim = (owner: string, now = time().now()): LeaseClaim => ({ owner, host: `host-${owner}`, pid: process.pid, acquiredAt: now, expiresAt: now + TTL });

    it('a retried create that sees its own lock counts as acquired (same token), and only for that owner', async () => {
      const s = await subject().store();
      const first = await s.tryAcquire(claim('me'), time().now());
      const retried = await (await subject().store()).tryAcquire(claim('me'), time().now());
      expect(first.acquired && retried.acquired).toBe(true);
      expect(retried.holder?.token).toBe(first.holder?.token);
      expect((await s.tryAcquire(claim('other'), time().now())).acquired).toBe(false);
    });

    it('of many contenders for a free lock, exactly one wins', async () => {
      const stores = await Promise.all(Array.from({ length: 6 }, () => subject().store()));
      const attempts = await Promise.all(stores.map((s, i) => s.tryAcquire(claim(`c${i}`), time().now())));
      expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
    });

    it('of many contenders taking over the same stale lock, exactly one wins, every round', async () => {
      let token = 0;
      for (let round = 0; round < 8; round++) {
        await time().advance(TTL); // whoever holds it now is stale
        const stores = await Promise.all(Array.from({ length: 5 }, () => subject().store()));
        const now = time().now();
        const attempts = await Promise.all(stores.map((s, i) => s.tryAcquire(claim(`r${round}c${i}`, now), now)));
        const winners = attempts.filter((a) => a.acquired);
        expect(winners).toHaveLength(1);
        expect(winners[0]!.holder!.token).toBeGreaterThan(token);
        token = winners[0]!.holder!.token;
        const losers = attempts.filter((a) => !a.acquired && a.holder !== null);
        for (const l of losers) expect(l.holder!.owner).toBe(winners[0]!.holder!.owner);
      }
    });

    it('renews only its own lease, and never after losing it', async () => {
      const s = await subject().store();
      const mine = await s.tryAcquire(claim('mine'), time().now());
      if (!mine.acquired) throw new Error('the first claim must be granted');
      const forged = { ...mine.holder, owner: 'intruder' };
      expect((await s.renew(forged, time().now() + 10 * TTL)).ok).toBe(false);
      expect((await s.inspect(time().now()))?.expiresAt).toBe(mine.holder.expiresAt);
      const renewed = await s.renew(mine.holder, time().now() + 2 * TTL);
      expect(renewed.ok && renewed.holder.expiresAt).toBe(time().now() + 2 * TTL);
      await time().advance(3 * TTL);
      const taker = await (await subject().store()).tryAcquire(claim('taker'), time().now());
      expect(taker.acquired).toBe(true);
      const late = await s.renew(mine.holder, time().now() + TTL);
      expect(late.ok).toBe(false);
      expect(!late.ok && late.holder?.owner).toBe('taker');
      expect((await s.inspect(time().now()))?.owner).toBe('taker');
    });

    it('releases only its own lease: a non-owner release changes nothing', async () => {
      const s = await subject().store();
      const held = await s.tryAcquire(claim('holder'), time().now());
      if (!held.acquired) throw new Error('the first claim must be granted');
      await (await subject().store()).release({ ...held.holder, owner: 'intruder' });
      await s.release({ ...held.holder, token: held.holder.token + 1 });
      expect((await s.inspect(time().now()))?.owner).toBe('holder');
      await s.release(held.holder);
      expect(await s.inspect(time().now())).toBeNull();
    });

    it('inspect reports a lease past its TTL as stale', async () => {
      const s = await subject().store();
      await s.tryAcquire(claim('old'), time().now());
      await time().advance(TTL);
      expect(await s.inspect(time().now())).toMatchObject({ owner: 'old', stale: true });
    });
  });
}

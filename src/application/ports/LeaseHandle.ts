import { CairnError, toIso } from '../../domain';
import type { LeaseStore, LockClock, LockHandle, LockHolder } from './Lock';

/** `confirm` gives the event loop a turn at least this often during busy work (timers, Ctrl-C). */
const YIELD_MS = 50;

/** "pid 4242 on host desk (token 7, since …, lease until …)": for messages naming a holder. */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on host ${h.host} (token ${h.token}, since ${toIso(h.acquiredAt)}, lease until ${toIso(h.expiresAt)})`;
}

/**
 * A held lease: renews it every heartbeat while it is still ours, and fires `signal` the moment it learns
 * the lease is gone (taken over, force-released, or run out by the local clock while the process was paused).
 */
export class LeaseHandle implements LockHandle {
  private readonly controller = new AbortController();
  private current: LockHolder;
  private state: 'held' | 'lost' | 'released' = 'held';
  private failure: CairnError | null = null;
  private renewing: Promise<void> | null = null;
  private lastRenew: number;
  private lastYield: number;
  private readonly cancel: () => void;

  constructor(
    private readonly store: LeaseStore,
    holder: LockHolder,
    private readonly clock: LockClock,
    private readonly ttlMs: number,
    private readonly heartbeatMs: number,
  ) {
    this.current = holder;
    this.lastRenew = this.lastYield = clock.now();
    this.cancel = clock.every(heartbeatMs, () => this.renew());
  }

  get token(): number {
    return this.current.token;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get holder(): LockHolder {
    return this.current;
  }

  throwIfLost(): void {
    if (this.state === 'held' && this.clock.now() >= this.current.expiresAt) {
      this.lose(`its lease ran out at ${toIso(this.current.expiresAt)} before it was renewed (was this process paused, or too busy?)`, null);
    }
    if (this.state === 'released') throw new CairnError('LOCK_LOST', `the lock ${this.store.where} was already released by this holder`);
    if (this.failure) throw this.failure;
  }

  async confirm(): Promise<void> {
    this.throwIfLost();
    const now = this.clock.now();
    if (now - this.lastRenew >= this.heartbeatMs) await this.renew();
    else if (now - this.lastYield >= YIELD_MS) {
      this.lastYield = now;
      await this.clock.sleep(0);
    }
    this.throwIfLost();
  }

  /** One heartbeat (the timer's, or an overdue one from `confirm`); concurrent calls share one renewal. */
  renew(): Promise<void> {
    if (this.state !== 'held') return Promise.resolve();
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  async release(): Promise<void> {
    this.cancel();
    if (this.state !== 'held') return;
    this.state = 'released';
    await this.renewing; // a renewal in flight must land before the release, never after it
    await this.store.release(this.current);
  }

  private async renewOnce(): Promise<void> {
    const now = this.clock.now();
    if (now >= this.current.expiresAt) {
      this.lose(`its lease ran out at ${toIso(this.current.expiresAt)} before it was renewed (was this process paused, or too busy?)`, null);
      return;
    }
    let outcome;
    try {
      outcome = await this.store.renew(this.current, now + this.ttlMs);
    } catch {
      return; // an I/O failure: the next heartbeat tries again, and the lease runs out if they keep failing
    }
    if (this.state !== 'held') return;
    if (outcome.ok) {
      this.current = outcome.holder;
      this.lastRenew = now;
      this.lastYield = this.clock.now();
    } else {
      this.lose(outcome.reason, outcome.holder);
    }
  }

  private lose(reason: string, holder: LockHolder | null): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    this.cancel();
    const now = holder ? `; it is now held by ${describeHolder(holder)}` : '';
    this.failure = new CairnError(
      'LOCK_LOST',
      `lost the lock ${this.store.where}: ${reason}${now}; the operation stopped before its next write: run it again`,
      { holder },
    );
    this.controller.abort(this.failure);
  }
}

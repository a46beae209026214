import type { AcquireAttempt, LeaseClaim, LeaseStore, LockHolder, LockStatus, RenewOutcome } from '../../application/ports';

/** The state several MemoryLeaseStores share when they contend for one lock. */
export class MemoryLockState {
  /** The newest generation: its token, and its holder (null once released). */
  slot: { token: number; holder: LockHolder | null; forced: boolean } | null = null;
}

/**
 * An in-process lock (for the memory store, and for tests): the same generation discipline as the file lock,
 * with every step one synchronous turn, so nothing interleaves.
 */
export class MemoryLeaseStore implements LeaseStore {
  constructor(
    private readonly state: MemoryLockState = new MemoryLockState(),
    readonly where = 'memory',
  ) {}

  async tryAcquire(claim: LeaseClaim, now: number): Promise<AcquireAttempt> {
    const slot = this.state.slot;
    if (slot?.holder) {
      if (slot.holder.owner === claim.owner) return { acquired: true, holder: slot.holder };
      if (slot.holder.expiresAt > now) return { acquired: false, holder: slot.holder };
    }
    const holder: LockHolder = { ...claim, token: (slot?.token ?? 0) + 1 };
    this.state.slot = { token: holder.token, holder, forced: false };
    return { acquired: true, holder };
  }

  async renew(holder: LockHolder, expiresAt: number): Promise<RenewOutcome> {
    const slot = this.state.slot;
    if (slot?.token !== holder.token || slot.holder?.owner !== holder.owner) {
      const reason = slot?.forced ? 'it was released by force' : 'it was taken over';
      return { ok: false, reason, holder: slot?.holder ?? null };
    }
    slot.holder = { ...slot.holder, expiresAt };
    return { ok: true, holder: slot.holder };
  }

  async release(holder: LockHolder): Promise<void> {
    const slot = this.state.slot;
    if (slot?.token === holder.token && slot.holder?.owner === holder.owner) slot.holder = null;
  }

  async inspect(now: number): Promise<LockStatus | null> {
    const holder = this.state.slot?.holder;
    return holder ? { ...holder, stale: holder.expiresAt <= now } : null;
  }

  async forceRelease(): Promise<LockHolder | null> {
    const slot = this.state.slot;
    if (!slot?.holder) return null;
    this.state.slot = { token: slot.token + 1, holder: null, forced: true };
    return slot.holder;
  }
}

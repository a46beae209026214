import type { Clock } from './Clock';

/**
 * The store's lock: at most one process mutates a store at a time. A holder keeps a lease that it renews
 * (heartbeat) and that others may take over once it has expired, or at once when the holder is a dead
 * process on this host. Adapters implement the small `LeaseStore` SPI below over their medium (a folder,
 * memory, an S3 prefix) and wrap it in `LeaseLock` (./LeaseLock), which owns timing, heartbeats and
 * signals; every adapter runs the `lockContract` suite from `cairn/testing`. See ADR 0009.
 */

/** Who holds (or held) a lock. Times are milliseconds since the epoch. */
export interface LockHolder {
  /** Random id of this one acquisition (a new one per `acquire`). */
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  /** The fencing token of this acquisition: strictly greater than every token issued before it. */
  readonly token: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
}

/** What `inspect` sees: the holder, and whether its lease is stale (expired, or a dead process on this host). */
export type LockStatus = LockHolder & { readonly stale: boolean };

export interface LockHandle {
  /** The fencing token (see `LockHolder.token`). */
  readonly token: number;
  /** Fires (with a LOCK_LOST CairnError as its reason) when the lock is lost. Not fired by `release`. */
  readonly signal: AbortSignal;
  /** The holder as of the last renewal (`expiresAt` moves forward with each heartbeat). */
  readonly holder: LockHolder;
  /** Throw LOCK_LOST when the lock is lost, released, or its lease has run out by the local clock. No I/O. */
  throwIfLost(): void;
  /**
   * Like `throwIfLost`, but first renew the lease when a heartbeat is overdue (a busy event loop starves the
   * heartbeat timer), and now and then give the event loop a turn (timers, signal handlers). Call it before
   * every write of the guarded work.
   */
  confirm(): Promise<void>;
  /** Stop the heartbeat and give the lock up, if it is still ours. Never frees someone else's lock. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** How long to wait for a held lock; 0 (the default) tries once. Timing out throws LOCK_HELD. */
  readonly timeoutMs?: number;
  /** Stop waiting (throws INTERRUPTED). */
  readonly signal?: AbortSignal;
}

export interface Lock {
  /** Where the lock lives (a path, a URL), for messages. */
  readonly where: string;
  acquire(options?: AcquireOptions): Promise<LockHandle>;
  /** The current holder, or null when the lock is free. */
  inspect(): Promise<LockStatus | null>;
  /** Break the lock whoever holds it (the holder loses it, its signal fires); returns who held it, or null. */
  forceRelease(): Promise<LockHolder | null>;
}

/** Time for locks: the wall clock (leases are compared across processes) plus waiting and periodic ticks. */
export interface LockClock extends Clock {
  /** Resolve after `ms` (reject with the signal's reason when it fires first). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Call `tick` every `ms` until the returned function is called. Must not keep the process alive. */
  every(ms: number, tick: () => Promise<void>): () => void;
}

// ---- The adapter SPI -------------------------------------------------------------------------------------

/** An acquisition attempt: the holder record to write if the lock is free (or stale). */
export interface LeaseClaim {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
}

export type AcquireAttempt =
  | { readonly acquired: true; readonly holder: LockHolder }
  /** `holder` is who holds it, or null when the attempt lost a race and should simply be retried. */
  | { readonly acquired: false; readonly holder: LockHolder | null };

export type RenewOutcome =
  | { readonly ok: true; readonly holder: LockHolder }
  /** Lost: why, and who holds the lock now when known. */
  | { readonly ok: false; readonly reason: string; readonly holder: LockHolder | null };

/**
 * The atomic primitives a lock adapter provides. Rules every adapter keeps (the contract suite checks them):
 * - `tryAcquire` takes the lock only when it is free, released or stale, and of two contenders for the same
 *   free or stale lock exactly one wins; tokens strictly increase;
 * - `tryAcquire` with a claim whose owner already holds the lock returns that holding (a retried create
 *   that sees its own lock counts as acquired);
 * - `renew` and `release` change the lock only while it is still the caller's (never a blind overwrite);
 *   `release` of a lock that is not the caller's changes nothing.
 */
export interface LeaseStore {
  readonly where: string;
  tryAcquire(claim: LeaseClaim, now: number): Promise<AcquireAttempt>;
  renew(holder: LockHolder, expiresAt: number): Promise<RenewOutcome>;
  release(holder: LockHolder): Promise<void>;
  inspect(now: number): Promise<LockStatus | null>;
  /** Make the lock free whoever holds it, without reusing its token; returns who held it. */
  forceRelease(now: number): Promise<LockHolder | null>;
}

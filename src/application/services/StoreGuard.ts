import { CairnError } from '../../domain';
import type { Lock, LockHandle, LockStatus } from '../ports/Lock';
import { Mutex } from './Mutex';

/**
 * One gate for every mutation of a store. In-process, a mutex serialises the calls of one Cairn instance;
 * across processes, the store's lock is held for the whole operation. Writes pass the fence (`confirm` on
 * the async write paths, `check` on the synchronous ones), which throws LOCK_LOST once the lock is lost and
 * INTERRUPTED once the work was interrupted: the operation stops before its next write. After an
 * acquisition that someone else's followed, `othersWrote` drops what this process cached of the store.
 */
export class StoreGuard {
  private readonly mutex = new Mutex();
  private readonly interruption = new AbortController();
  private handle: LockHandle | null = null;
  private current: Promise<unknown> | null = null;
  /** The token of our last clean release: the next acquisition is "ours again" when it is exactly +1. */
  private lastToken: number | null = null;
  private passed = 0;

  constructor(
    private readonly lock: Lock | null,
    private readonly timeoutMs: number,
    private readonly othersWrote: () => void,
  ) {}

  run<T>(work: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const result = this.mutex.run(() => this.locked(work, options.timeoutMs ?? this.timeoutMs));
    this.current = result;
    return result;
  }

  /** Writes that passed the fence so far (a mutation that fails after one may have left the read model behind the store). */
  get writes(): number {
    return this.passed;
  }

  /** The fence for synchronous write paths (read-model writes): no I/O. */
  check(): void {
    this.fence();
    this.passed++;
  }

  /** The fence for asynchronous writes: also renews an overdue lease and yields to the event loop. */
  async confirm(): Promise<void> {
    await this.pass();
    this.passed++;
  }

  /** The fence for reads: inside a mutation, as `confirm` (a long read phase keeps the lease); outside, nothing. */
  async touch(): Promise<void> {
    if (this.handle) await this.pass();
  }

  /**
   * Stop the current operation before its next write (Ctrl-C) and refuse further ones. Resolves when the
   * current operation has settled; `abandon` releases the lock if it has not by then.
   */
  async interrupt(): Promise<void> {
    this.stop();
    await this.current?.catch(() => undefined);
  }

  /** Give up the lock now, even while an operation still runs (after `interrupt` and a bounded wait). */
  async abandon(): Promise<void> {
    this.stop(); // the operation that still runs must not write without the lock
    const handle = this.handle;
    this.handle = null;
    await handle?.release().catch(() => undefined);
  }

  status(): Promise<LockStatus | null> {
    return this.lock ? this.lock.inspect() : Promise.resolve(null);
  }

  forceRelease(): ReturnType<Lock['forceRelease']> {
    return this.lock ? this.lock.forceRelease() : Promise.resolve(null);
  }

  private async locked<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
    this.throwIfInterrupted();
    if (!this.lock) return work();
    const handle = await this.lock.acquire({ timeoutMs, signal: this.interruption.signal });
    this.handle = handle;
    try {
      if (this.lastToken === null || handle.token !== this.lastToken + 1) this.othersWrote();
      const result = await work();
      // The work may have turned a fence error into a per-item outcome (deferred, a failed origin): the
      // operation as a whole did not complete under the lock.
      this.check();
      return result;
    } finally {
      if (this.handle === handle) this.handle = null;
      let released = true;
      try {
        await handle.release();
      } catch {
        released = false; // the lease runs out by itself
      }
      // Only a clean hand-back lets the next acquisition trust what this process cached.
      this.lastToken = released && !handle.signal.aborted ? handle.token : null;
    }
  }

  private fence(): void {
    this.throwIfInterrupted();
    if (!this.lock) return;
    if (!this.handle) throw new CairnError('INTERNAL', `a write to the store outside its lock (${this.lock.where}): every mutation must run through the guard`);
    this.handle.throwIfLost();
  }

  private async pass(): Promise<void> {
    this.fence();
    await this.handle?.confirm();
    this.throwIfInterrupted();
  }

  private stop(): void {
    if (!this.interruption.signal.aborted) {
      this.interruption.abort(new CairnError('INTERRUPTED', 'interrupted: stopped before the next write (the store is consistent; run the command again to finish)'));
    }
  }

  private throwIfInterrupted(): void {
    const reason: unknown = this.interruption.signal.reason;
    if (this.interruption.signal.aborted) throw reason instanceof CairnError ? reason : new CairnError('INTERRUPTED', 'interrupted');
  }
}

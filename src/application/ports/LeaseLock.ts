import { CairnError, isCairnError } from '../../domain';
import { invalidPluginOptions } from '../plugins';
import type { RandomSource } from './Clock';
import { describeHolder, LeaseHandle } from './LeaseHandle';
import type { AcquireOptions, LeaseClaim, LeaseStore, Lock, LockClock, LockHandle, LockHolder, LockStatus } from './Lock';

export interface LeaseTiming {
  /** How long a lease lasts without renewal (default 30 s). */
  readonly ttlMs?: number;
  /** How often the holder renews (default a third of the TTL). */
  readonly heartbeatMs?: number;
  /** The longest pause between attempts while waiting for a held lock (default 100 ms). */
  readonly retryMs?: number;
}

export interface LeaseLockOptions extends LeaseTiming {
  readonly clock: LockClock;
  readonly random: RandomSource;
  /** This process, as holders are named: host name and pid. */
  readonly host: string;
  readonly pid: number;
}

export const LEASE_DEFAULTS = { ttlMs: 30_000, retryMs: 100 } as const;

/** Why timing options are unusable, or null (plugins validate their options with it). */
export function leaseTimingProblem(t: LeaseTiming): string | null {
  const ttl = t.ttlMs ?? LEASE_DEFAULTS.ttlMs;
  if (!Number.isSafeInteger(ttl) || ttl < 30) return `ttlMs must be an integer of at least 30, got ${String(t.ttlMs)}`;
  if (t.heartbeatMs !== undefined && (!Number.isSafeInteger(t.heartbeatMs) || t.heartbeatMs < 10 || t.heartbeatMs > ttl / 2)) {
    return `heartbeatMs must be an integer from 10 to half of ttlMs (${ttl / 2}), got ${String(t.heartbeatMs)}`;
  }
  if (t.retryMs !== undefined && (!Number.isSafeInteger(t.retryMs) || t.retryMs < 1)) return `retryMs must be a positive integer, got ${String(t.retryMs)}`;
  return null;
}

/**
 * For lock plugins: check an options object that may hold the timing keys plus `extra` keys of the plugin's
 * own; returns the timing. Throws PLUGIN_OPTIONS_INVALID naming the plugin and the option.
 */
export function lockPluginTiming(plugin: string, options: unknown, extra: readonly string[] = []): LeaseTiming {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalidPluginOptions(plugin, 'options must be an object');
  const known = ['ttlMs', 'heartbeatMs', 'retryMs', ...extra];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw invalidPluginOptions(plugin, `unknown option(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const { ttlMs, heartbeatMs, retryMs } = options as LeaseTiming;
  const timing = { ttlMs, heartbeatMs, retryMs };
  const problem = leaseTimingProblem(timing);
  if (problem) throw invalidPluginOptions(plugin, problem);
  return timing;
}

/**
 * The Lock port over any LeaseStore: waiting with backoff and a deadline, a fresh owner id per acquisition,
 * and handles that heartbeat. Adapters differ only in their LeaseStore (file, memory, S3).
 */
export class LeaseLock implements Lock {
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeaseLockOptions,
  ) {
    const problem = leaseTimingProblem(options);
    if (problem) throw new CairnError('PLUGIN_OPTIONS_INVALID', `lock ${store.where}: ${problem}`);
    this.ttlMs = options.ttlMs ?? LEASE_DEFAULTS.ttlMs;
    this.heartbeatMs = options.heartbeatMs ?? Math.floor(this.ttlMs / 3);
    this.retryMs = options.retryMs ?? LEASE_DEFAULTS.retryMs;
  }

  get where(): string {
    return this.store.where;
  }

  async acquire(options: AcquireOptions = {}): Promise<LockHandle> {
    const { clock, random } = this.options;
    const timeoutMs = options.timeoutMs ?? 0;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new CairnError('INPUT_INVALID', `the lock timeout must be a non-negative number of ms, got ${timeoutMs}`);
    const deadline = clock.now() + timeoutMs;
    const owner = random.hex(16); // one owner per acquisition: a retried attempt recognises its own lock
    let pause = Math.min(5, this.retryMs);
    let holder: LockHolder | null = null;
    for (let failures = 0; ; ) {
      if (options.signal?.aborted) throw stopped(options.signal, this.where);
      const now = clock.now();
      const claim: LeaseClaim = { owner, host: this.options.host, pid: this.options.pid, acquiredAt: now, expiresAt: now + this.ttlMs };
      let attempt;
      try {
        attempt = await this.store.tryAcquire(claim, now);
      } catch (err) {
        // An I/O failure may hide a create that did happen: retry with the same owner, which then sees it as ours.
        // (Adapters report I/O failures as IO_FAILED; any other CairnError is an answer, not a failure.)
        if ((isCairnError(err) && err.code !== 'IO_FAILED') || ++failures > 2) throw err;
        continue;
      }
      if (attempt.acquired) return new LeaseHandle(this.store, attempt.holder, clock, this.ttlMs, this.heartbeatMs);
      holder = attempt.holder ?? holder;
      const left = deadline - clock.now();
      if (left <= 0) throw held(this.where, holder, timeoutMs);
      // Jittered backoff, so that waiting contenders do not retry in lockstep.
      const jitter = 0.5 + (parseInt(random.hex(1), 16) || 0) / 510;
      try {
        await clock.sleep(Math.max(1, Math.min(left, Math.round(pause * jitter))), options.signal);
      } catch {
        throw stopped(options.signal, this.where);
      }
      pause = Math.min(pause * 2, this.retryMs);
    }
  }

  inspect(): Promise<LockStatus | null> {
    return this.store.inspect(this.options.clock.now());
  }

  forceRelease(): Promise<LockHolder | null> {
    return this.store.forceRelease(this.options.clock.now());
  }
}

function held(where: string, holder: LockHolder | null, timeoutMs: number): CairnError {
  const who = holder ? `held by ${describeHolder(holder)}` : 'busy (contended)';
  return new CairnError(
    'LOCK_HELD',
    `the store's lock ${where} is ${who} and was not free within ${timeoutMs} ms: retry later, wait longer (--lock-timeout SECONDS), or see \`cairn lock status\``,
    { holder },
  );
}

function stopped(signal: AbortSignal | undefined, where: string): CairnError {
  const reason: unknown = signal?.reason;
  return isCairnError(reason) ? reason : new CairnError('INTERRUPTED', `interrupted while waiting for the lock ${where}`);
}

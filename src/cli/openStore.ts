import type { Cairn } from '../application/Cairn';
import { isCairnError } from '../domain';
import { openCairn } from '../infrastructure/container/openCairn';
import type { CommandContext } from './Command';
import { EXIT } from './output';
import { terminalProgress } from './progress';
import { UsageError } from './UsageError';

/** How long a command waits for the store's lock unless `--lock-timeout` says otherwise. */
export const DEFAULT_LOCK_TIMEOUT_S = 5;
/** After Ctrl-C, how long the running operation gets to stop by itself before the lock is given up anyway. */
export const INTERRUPT_GRACE_MS = 3_000;

export interface WithCairnOptions {
  /** Skip catching the read model up (rebuild does it itself; lock commands must not wait for the lock). */
  readonly skipCatchUp?: boolean;
  /** A command that only reads: catch up only if the lock is free right now, else read what is there. */
  readonly readOnly?: boolean;
}

/** Open the store of `--home`, run the work with Ctrl-C wired to stop it and release the lock, always close. */
export async function withCairn<T>(ctx: CommandContext, work: (cairn: Cairn) => Promise<T>, options: WithCairnOptions = {}): Promise<T> {
  const lockTimeoutMs = lockTimeout(ctx.values['lock-timeout']);
  const cairn = await openCairn({ home: ctx.home, skipCatchUp: true, lockTimeoutMs });
  const unhook = onInterrupt(cairn, ctx);
  try {
    if (!options.skipCatchUp) await catchUp(cairn, ctx, options.readOnly === true);
    return await work(cairn);
  } finally {
    unhook();
    cairn.close();
  }
}

async function catchUp(cairn: Cairn, ctx: CommandContext, readOnly: boolean): Promise<void> {
  const progress = terminalProgress(ctx.io, ctx.json);
  try {
    await cairn.catchUp(progress.sink, readOnly ? { lockTimeoutMs: 0 } : {});
  } catch (err) {
    // Another process holds the lock and keeps the read model current itself: read what is committed.
    if (!readOnly || !isCairnError(err, 'LOCK_HELD')) throw err;
  } finally {
    progress.done();
  }
}

/**
 * Ctrl-C (or SIGTERM): stop the running operation before its next write and release the lock. If it has not
 * stopped within the grace period (stuck in a read), give the lock up anyway and exit. A second Ctrl-C exits
 * at once (the lock is then taken over by the next command on this host: its holder's pid is dead).
 */
function onInterrupt(cairn: Cairn, ctx: CommandContext): () => void {
  let signals = 0;
  const handler = (): void => {
    if (++signals > 1) process.exit(EXIT.interrupted);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => {
      timer = setTimeout(() => resolve('grace'), INTERRUPT_GRACE_MS);
      timer.unref();
    });
    void Promise.race([cairn.interrupt().then(() => 'settled' as const), grace]).then(async (outcome) => {
      clearTimeout(timer);
      if (outcome === 'settled') return; // the command ends by itself, with INTERRUPTED (exit 130)
      await cairn.abandonLock();
      ctx.io.stderr.write(`cairn: interrupted; the operation did not stop within ${INTERRUPT_GRACE_MS / 1000} s, so the lock was released and it was cut short (the store is consistent: run the command again)\n`);
      process.exit(EXIT.interrupted);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function lockTimeout(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_LOCK_TIMEOUT_S * 1000;
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n > 86_400) throw new UsageError(`--lock-timeout must be a number of seconds from 0 to 86400, got ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}

export function intOption(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

import type { Cairn } from '../application/Cairn';
import { openCairn } from '../infrastructure/container/openCairn';
import type { CommandContext } from './Command';
import { terminalProgress } from './progress';
import { UsageError } from './UsageError';

/** Open the store of `--home`, run the work, always close. */
export async function withCairn<T>(ctx: CommandContext, work: (cairn: Cairn) => Promise<T>, options: { skipCatchUp?: boolean } = {}): Promise<T> {
  const progress = terminalProgress(ctx.io, ctx.json);
  const cairn = await openCairn({ home: ctx.home, skipCatchUp: options.skipCatchUp, onProgress: progress.sink });
  progress.done();
  try {
    return await work(cairn);
  } finally {
    cairn.close();
  }
}

export function intOption(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

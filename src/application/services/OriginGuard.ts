import { isStopError } from '../../domain';

export interface OriginFailure {
  readonly origin: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Runs per-origin work so that one origin's coded failure (a fork, a damaged chain) is recorded and stops only
 * that origin; an uncoded or INTERNAL error still propagates. Work for an origin that already failed is skipped.
 */
export class OriginGuard {
  private readonly failed = new Set<string>();

  constructor(readonly failures: OriginFailure[] = []) {}

  async run(origin: string, work: () => Promise<unknown>): Promise<void> {
    if (this.failed.has(origin)) return;
    try {
      await work();
    } catch (err) {
      if (isStopError(err)) throw err;
      const e = err as { code?: string; message?: string };
      if (!e.code || e.code === 'INTERNAL') throw err;
      this.failed.add(origin);
      this.failures.push({ origin, code: e.code, message: e.message ?? String(err) });
    }
  }

  /** Forks the import found: each origin not failed already fails with them. */
  addForks(forks: readonly OriginFailure[]): void {
    this.failures.push(...forks.filter((f) => !this.failed.has(f.origin)));
    for (const f of forks) this.failed.add(f.origin);
  }
}

/**
 * Runs one job at a time and coalesces requests: a request made while a run is in progress joins the one
 * run queued after it (which starts once the current run ends, so it sees everything that arrived before the
 * request). However many requests pile up, at most one run is in progress and one is waiting.
 */
export class Coalescer<T> {
  private current: Promise<T> | null = null;
  private queued: Promise<T> | null = null;

  constructor(private readonly job: () => Promise<T>) {}

  request(): Promise<T> {
    if (this.queued) return this.queued;
    if (!this.current) return this.start();
    const queued = this.current.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.queued = null;
      return this.start();
    });
    this.queued = queued;
    return queued;
  }

  /** Resolves when no run is in progress or waiting. */
  async idle(): Promise<void> {
    while (this.current || this.queued) await (this.queued ?? this.current)!.catch(() => undefined);
  }

  private start(): Promise<T> {
    const run: Promise<T> = this.job().finally(() => {
      if (this.current === run) this.current = null;
    });
    this.current = run;
    return run;
  }
}

/**
 * A weighted semaphore with a FIFO queue: `acquire(n)` resolves once `n` units are free (a request larger
 * than the whole capacity waits until everything is free, then runs alone) and returns the release.
 */
export class Semaphore {
  private used = 0;
  private readonly waiting: { n: number; resolve: () => void }[] = [];

  constructor(readonly capacity: number) {}

  async acquire(weight: number): Promise<() => void> {
    const n = Math.max(0, Math.min(weight, this.capacity));
    if (this.waiting.length > 0 || this.used + n > this.capacity) {
      await new Promise<void>((resolve) => this.waiting.push({ n, resolve }));
    } else {
      this.used += n;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= n;
      this.drain();
    };
  }

  /** Units in use (for tests and reports). */
  get inUse(): number {
    return this.used;
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.n <= this.capacity) {
      const next = this.waiting.shift()!;
      this.used += next.n;
      next.resolve();
    }
  }
}

import type { LockClock } from '../application/ports/Lock';

interface Timer {
  due: number;
  readonly every: number;
  readonly tick: () => Promise<void>;
  readonly view: ManualLockClock;
  cancelled: boolean;
}

/** A LockClock on a ManualTime whose heartbeats can be stopped, as if its process were paused. */
export interface ManualLockClock extends LockClock {
  /** Stop running this clock's periodic ticks (heartbeats): a paused process. */
  pause(): void;
  /** Run them again, the next one a full period from now. */
  resume(): void;
  readonly paused: boolean;
}

/**
 * Virtual time for lock tests: no real waiting. `advance` moves time forward and runs every periodic tick
 * that falls due on the way, in order, awaiting each. `sleep` on any of its clocks advances the shared time
 * (so a contender waiting for a lock lets the holder's heartbeats run); run one sleeper at a time.
 */
export class ManualTime {
  private t: number;
  private readonly timers: Timer[] = [];

  constructor(start = Date.parse('2026-11-22T10:00:00.000Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    for (;;) {
      const next = this.timers.filter((x) => !x.cancelled && !x.view.paused && x.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.due);
      next.due += next.every;
      await next.tick();
    }
    this.t = Math.max(this.t, target);
  }

  /** Move time forward without running anything on the way: every process was stopped meanwhile (SIGSTOP). */
  jump(ms: number): void {
    this.t += Math.max(0, ms);
  }

  /** A clock on this time (one per simulated process, so that each can be paused on its own). */
  clock(): ManualLockClock {
    let paused = false;
    const view: ManualLockClock = {
      now: () => this.t,
      sleep: async (ms, signal) => {
        if (signal?.aborted) throw signal.reason;
        await this.advance(ms);
        if (signal?.aborted) throw signal.reason;
      },
      every: (ms, tick) => {
        const timer: Timer = { due: this.t + ms, every: ms, tick, view, cancelled: false };
        this.timers.push(timer);
        return () => {
          if (timer.cancelled) return;
          timer.cancelled = true;
          this.timers.splice(this.timers.indexOf(timer), 1);
        };
      },
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
        for (const timer of this.timers) if (timer.view === view) timer.due = this.t + timer.every;
      },
      get paused() {
        return paused;
      },
    };
    return view;
  }
}

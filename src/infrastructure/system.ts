import { randomBytes } from 'node:crypto';
import type { Clock, LockClock, RandomSource } from '../application/ports';

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: RandomSource = { hex: (bytes) => randomBytes(bytes).toString('hex') };

/** Real time for locks: `sleep(0)` is one turn of the event loop; heartbeat timers never keep the process alive. */
export const systemLockClock: LockClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = (): void => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const timer = ms <= 0 ? setImmediate(done) : setTimeout(done, ms);
      const abort = (): void => {
        if (ms <= 0) clearImmediate(timer as NodeJS.Immediate);
        else clearTimeout(timer as NodeJS.Timeout);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
    }),
  every: (ms, tick) => {
    const timer = setInterval(() => void tick(), ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

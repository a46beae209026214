import * as fs from 'node:fs';

/** One lock-protected cycle of a contention child: when it held the lock (monotonic ns), its token and the value it wrote. */
export interface HoldInterval {
  readonly start: bigint;
  readonly end: bigint;
  readonly token: number;
  readonly value: number;
}

/** The cycles the children logged ("<start ns> <end ns> <token> <value>" per line), in holding order. */
export function readHoldIntervals(logs: readonly string[]): HoldInterval[] {
  return logs
    .flatMap((log) => fs.readFileSync(log, 'utf8').trim().split('\n'))
    .map((line) => {
      const [start, end, token, value] = line.split(' ');
      return { start: BigInt(start!), end: BigInt(end!), token: Number(token), value: Number(value) };
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Cycles that began before the previous one (in holding order) ended: two holders at once. */
export function overlapping(intervals: readonly HoldInterval[]): HoldInterval[] {
  return intervals.filter((x, i) => i > 0 && x.start <= intervals[i - 1]!.end);
}

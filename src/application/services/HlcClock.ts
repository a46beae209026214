import { formatHlc, msToNs, observeHlc, parseHlc, tickHlc, type Hlc } from '../../domain';
import type { Clock } from '../ports/Clock';
import type { ReadModel } from '../ports/ReadModel';

/**
 * This origin's hybrid logical clock. Its state is persisted by what it stamped: the newest reading of any
 * metadata event applied here (own or observed), which the read model and the store both hold, so it never
 * issues a reading below one it issued or observed, even when the wall clock goes backwards.
 */
export class HlcClock {
  private last: Hlc | null | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly readModel: ReadModel,
    private readonly newestOwn: () => Promise<string | null>,
  ) {}

  async next(): Promise<string> {
    if (this.last === undefined) {
      const known = [this.readModel.maxHlc(), await this.newestOwn()].filter((h): h is string => h !== null).map(parseHlc);
      this.last = known.reduce<Hlc | null>((a, b) => (a && (a.ns > b.ns || (a.ns === b.ns && a.c >= b.c)) ? a : b), null);
    }
    this.last = tickHlc(this.last, msToNs(this.clock.now()));
    return formatHlc(this.last);
  }

  /** Observe a remote reading; false when it is too far ahead of local time (defer its event). */
  observe(remote: string, driftNs?: bigint): boolean {
    const r = observeHlc(this.last ?? null, parseHlc(remote), msToNs(this.clock.now()), driftNs);
    if (r.accepted) this.last = r.next;
    return r.accepted;
  }
}

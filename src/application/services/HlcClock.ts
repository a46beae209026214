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
  private stale = false;

  constructor(
    private readonly clock: Clock,
    private readonly readModel: ReadModel,
    private readonly newestOwn: () => Promise<string | null>,
  ) {}

  /** Load the persisted state once, before the first reading is issued or observed. */
  async load(): Promise<void> {
    if (this.last !== undefined && !this.stale) return;
    this.stale = false;
    const known = [this.readModel.maxHlc(), await this.newestOwn()].filter((h): h is string => h !== null).map(parseHlc);
    this.last = [this.last ?? null, ...known].reduce<Hlc | null>((a, b) => (a && (!b || a.ns > b.ns || (a.ns === b.ns && a.c >= b.c)) ? a : b), null);
  }

  /** Another process may have stamped events since the state was loaded: load it again (never going back). */
  reload(): void {
    this.stale = true;
  }

  async next(): Promise<string> {
    await this.load();
    this.last = tickHlc(this.last ?? null, msToNs(this.clock.now()));
    return formatHlc(this.last);
  }

  /** Observe a remote reading (call `load` first); false when it is too far ahead of local time (defer). */
  observe(remote: string, driftNs?: bigint): boolean {
    const r = observeHlc(this.last ?? null, parseHlc(remote), msToNs(this.clock.now()), driftNs);
    if (r.accepted) this.last = r.next;
    return r.accepted;
  }

  /** Raise the clock to a reading of our own (own events are never deferred). */
  raise(own: string): void {
    const h = parseHlc(own);
    if (!this.last || h.ns > this.last.ns || (h.ns === this.last.ns && h.c > this.last.c)) this.last = h;
  }
}

import fc from 'fast-check';
import { compareHlc, DEFAULT_DRIFT_NS, formatHlc, msToNs, observeHlc, parseHlc, tickHlc, type Hlc } from '../../src/domain';
import { expectCode } from '../../src/testing';

const hlc = fc.record({ ns: fc.bigInt({ min: 0n, max: 10n ** 19n }), c: fc.integer({ min: 0, max: 999_999 }) });

describe('hybrid logical clock', () => {
  it('string form sorts exactly like the clock, has no ":" and round-trips (property)', () => {
    fc.assert(
      fc.property(hlc, hlc, (a, b) => {
        const [sa, sb] = [formatHlc(a), formatHlc(b)];
        expect(sa).not.toContain(':');
        expect(parseHlc(sa)).toEqual(a);
        expect(Math.sign(sa < sb ? -1 : sa > sb ? 1 : 0)).toBe(Math.sign(compareHlc(a, b)));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses unparsable readings', async () => {
    for (const bad of ['', '1.2', '0000000000000000000a.000000', '00000000000000000001:000000', 17, null]) {
      await expectCode(() => parseHlc(bad), 'HLC_INVALID');
    }
  });

  it('a local clock that jumps backwards never blocks local edits: readings keep increasing', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000_000_000_000 }), { minLength: 1, maxLength: 50 }), (clock) => {
        let last: Hlc | null = null;
        for (const ms of clock) {
          const next = tickHlc(last, msToNs(ms));
          if (last) expect(compareHlc(next, last)).toBeGreaterThan(0);
          last = next;
        }
      }),
    );
    const late = tickHlc({ ns: 10n, c: 999_999 }, 5n);
    expect(late).toEqual({ ns: 11n, c: 0 });
  });

  it('observes remote readings within the drift bound and defers those beyond it', () => {
    const now = msToNs(Date.parse('2026-11-22T10:00:00Z'));
    const local: Hlc = { ns: now, c: 3 };
    expect(observeHlc(local, { ns: now + DEFAULT_DRIFT_NS, c: 0 }, now)).toEqual({ accepted: true, next: { ns: now + DEFAULT_DRIFT_NS, c: 0 } });
    expect(observeHlc(local, { ns: now + DEFAULT_DRIFT_NS + 1n, c: 0 }, now)).toEqual({ accepted: false, next: local });
    expect(observeHlc(local, { ns: now - 1n, c: 0 }, now)).toEqual({ accepted: true, next: local });
    // After observing, the next local reading is above the remote one.
    const observed = observeHlc(local, { ns: now + 1000n, c: 7 }, now).next!;
    expect(compareHlc(tickHlc(observed, now), { ns: now + 1000n, c: 7 })).toBeGreaterThan(0);
  });
});

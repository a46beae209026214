import { CairnError } from './errors';

/**
 * A hybrid logical clock reading: wall-clock nanoseconds plus a logical counter. Its string form is fixed
 * width (`<20-digit ns>.<6-digit counter>`), so strings sort exactly like readings, and it has no `:` (it
 * is part of file names). Time is passed in: nothing here reads a clock.
 */
export interface Hlc {
  readonly ns: bigint;
  readonly c: number;
}

const NS_DIGITS = 20;
const C_DIGITS = 6;
const MAX_COUNTER = 999_999;
const HLC_TEXT = /^(\d{20})\.(\d{6})$/;

/** Remote events further ahead of the local clock than this are deferred, not applied (default 5 min). */
export const DEFAULT_DRIFT_NS = 5n * 60n * 1_000_000_000n;

export function msToNs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1_000_000n;
}

export function formatHlc(h: Hlc): string {
  return `${h.ns.toString().padStart(NS_DIGITS, '0')}.${String(h.c).padStart(C_DIGITS, '0')}`;
}

export function parseHlc(text: unknown): Hlc {
  const m = typeof text === 'string' ? HLC_TEXT.exec(text) : null;
  if (!m) {
    throw new CairnError('HLC_INVALID', `${JSON.stringify(text)} is not a hybrid logical clock reading: expected <20-digit ns>.<6-digit counter>`);
  }
  return { ns: BigInt(m[1]!), c: Number(m[2]) };
}

export function isHlcText(text: unknown): text is string {
  return typeof text === 'string' && HLC_TEXT.test(text);
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.c - b.c;
}

/**
 * The reading for a local event. Always above `last`, whatever the wall clock says: a clock that jumped
 * backwards never blocks local edits (the counter carries on from the last reading).
 */
export function tickHlc(last: Hlc | null, nowNs: bigint): Hlc {
  if (!last || nowNs > last.ns) return { ns: nowNs, c: 0 };
  return last.c < MAX_COUNTER ? { ns: last.ns, c: last.c + 1 } : { ns: last.ns + 1n, c: 0 };
}

/**
 * The greatest reading a remote event may carry and still be accepted now (`observeHlc`): anything above it is
 * deferred. A name that claims a reading above it (a forged far-future pack) must not be trusted yet either.
 */
export function acceptHorizon(nowNs: bigint, driftNs: bigint = DEFAULT_DRIFT_NS): string {
  return formatHlc({ ns: nowNs + driftNs, c: MAX_COUNTER });
}

/**
 * Observe a remote reading. One further ahead of local time than the drift bound is not accepted (its event
 * is deferred and retried later), so a forged far-future reading cannot drag the clock or win forever.
 */
export function observeHlc(last: Hlc | null, remote: Hlc, nowNs: bigint, driftNs: bigint = DEFAULT_DRIFT_NS): { accepted: boolean; next: Hlc | null } {
  if (remote.ns > nowNs + driftNs) return { accepted: false, next: last };
  if (!last || compareHlc(remote, last) > 0) return { accepted: true, next: remote };
  return { accepted: true, next: last };
}

import type { LockHolder } from '../../application/ports';

/** A generation file of the file lock: a holder's lease, or the mark that the lock was released. */
export type LockRecord = HeldRecord | ReleasedRecord;

export interface HeldRecord extends LockHolder {
  readonly v: 1;
  /** See HostIdentity.id: a dead pid means a dead holder only where the ids are equal. */
  readonly hostId: string;
}

export interface ReleasedRecord {
  readonly v: 1;
  readonly released: true;
  readonly token: number;
  /** True when `lock release --force` broke someone's lock. */
  readonly forced: boolean;
  readonly by: { readonly host: string; readonly pid: number };
}

export const isHeld = (r: LockRecord): r is HeldRecord => !('released' in r);

export function holderOf(r: HeldRecord): LockHolder {
  return { owner: r.owner, host: r.host, pid: r.pid, token: r.token, acquiredAt: r.acquiredAt, expiresAt: r.expiresAt };
}

const GENERATION = /^(\d{12})\.lock$/;

export function generationName(token: number): string {
  return `${String(token).padStart(12, '0')}.lock`;
}

export function generationOf(name: string): number | null {
  const m = GENERATION.exec(name);
  return m ? Number(m[1]) : null;
}

/** The newest generation among folder entries (0: none). */
export const newestOf = (names: readonly string[]): number => names.reduce((max, n) => Math.max(max, generationOf(n) ?? 0), 0);

/** The holder of a generation whose content is lost (see FileLeaseStore's `top`). */
export const unknownHolder = (token: number): LockHolder => ({ owner: 'unknown', host: 'unknown', pid: 0, token, acquiredAt: 0, expiresAt: 0 });

export function encodeRecord(r: LockRecord): string {
  return `${JSON.stringify(r)}\n`;
}

/** The record in a generation file, or null when it is not one (damaged, or written by something else). */
export function parseRecord(text: string, token: number): LockRecord | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const r = doc as Record<string, unknown>;
  if (r.v !== 1 || r.token !== token) return null;
  if (r.released === true) {
    const by = r.by as Record<string, unknown> | undefined;
    return typeof r.forced === 'boolean' && typeof by?.host === 'string' && typeof by.pid === 'number' ? (r as unknown as ReleasedRecord) : null;
  }
  const strings = ['owner', 'host', 'hostId'].every((k) => typeof r[k] === 'string');
  const numbers = ['pid', 'acquiredAt', 'expiresAt'].every((k) => Number.isSafeInteger(r[k]));
  return strings && numbers ? (r as unknown as HeldRecord) : null;
}

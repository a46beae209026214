import type { LockHolder } from '../../application/ports';

/**
 * What one generation key of the S3 lock holds: a holder's lease, or the mark that this generation is over.
 * A generation is written by its creator (create, renew, release) and, once, by whoever ends it for someone
 * else (a stale takeover or a forced release); every write after the create is conditional on the ETag read.
 */
export type S3LockRecord = S3HeldRecord | S3EndedRecord;

export interface S3HeldRecord extends LockHolder {
  readonly v: 1;
}

/** How a generation ended: released by its holder, broken by `lock release --force`, or taken over once stale. */
export type EndedHow = 'released' | 'forced' | 'taken-over';

export interface S3EndedRecord {
  readonly v: 1;
  readonly ended: EndedHow;
  readonly token: number;
  /** Who ended it; `id` is the owner id of the releaser or taker, a fresh random id for a forced release. */
  readonly by: { readonly host: string; readonly pid: number; readonly id: string };
}

export const isHeldRecord = (r: S3LockRecord): r is S3HeldRecord => !('ended' in r);

export function holderOfRecord(r: S3HeldRecord): LockHolder {
  return { owner: r.owner, host: r.host, pid: r.pid, token: r.token, acquiredAt: r.acquiredAt, expiresAt: r.expiresAt };
}

/** How a generation ended, for the message of a holder that lost it. */
export function howEnded(r: S3EndedRecord): string {
  const by = `by pid ${r.by.pid} on host ${r.by.host}`;
  return { forced: `it was released by force (${by})`, 'taken-over': `it was taken over after its lease ran out (${by})`, released: 'it was released' }[r.ended];
}

/** The holder of a generation whose content is not a lock record (written by something else): stale. */
export const unknownS3Holder = (token: number): LockHolder => ({ owner: 'unknown', host: 'unknown', pid: 0, token, acquiredAt: 0, expiresAt: 0 });

/** The folder of generation keys under a target's root: a dot name, so transports and `origins()` never see it. */
export const LOCK_FOLDER = '.cairn-lock/';

const GENERATION = /^(\d{12})$/;

/** The last token a 12-digit key can name: a generation above it would be invisible to the listing. */
export const LAST_GENERATION = 999_999_999_999;

export function generationKey(folder: string, token: number): string {
  return `${folder}${String(token).padStart(12, '0')}`;
}

/** The token of a full key in `folder`, or null when it is not a generation key. */
export function generationOfKey(folder: string, key: string): number | null {
  if (!key.startsWith(folder)) return null;
  const m = GENERATION.exec(key.slice(folder.length));
  return m ? Number(m[1]) : null;
}

export function encodeS3Record(r: S3LockRecord): Buffer {
  return Buffer.from(`${JSON.stringify(r)}\n`);
}

/** The record in a generation key, or null when it is not one. */
export function parseS3Record(bytes: Uint8Array, token: number): S3LockRecord | null {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const r = doc as Record<string, unknown>;
  if (r.v !== 1 || r.token !== token) return null;
  if ('ended' in r) {
    const by = r.by as Record<string, unknown> | undefined;
    const how = ['released', 'forced', 'taken-over'].includes(r.ended as string);
    return how && typeof by?.host === 'string' && typeof by.id === 'string' && Number.isSafeInteger(by.pid) ? (r as unknown as S3EndedRecord) : null;
  }
  const strings = ['owner', 'host'].every((k) => typeof r[k] === 'string');
  const numbers = ['pid', 'acquiredAt', 'expiresAt'].every((k) => Number.isSafeInteger(r[k]));
  return strings && numbers ? (r as unknown as S3HeldRecord) : null;
}

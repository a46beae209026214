import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AcquireAttempt, LeaseClaim, LeaseStore, LockHolder, LockStatus, RenewOutcome } from '../../application/ports';
import { CairnError } from '../../domain';
import { ensureConditionalWrites } from './conditionalWrites';
import { S3LockFolder, type Generation } from './S3LockFolder';
import { ServerClock } from './serverClock';
import { holderOfRecord, howEnded, isHeldRecord, LAST_GENERATION, LOCK_FOLDER, unknownS3Holder, type EndedHow, type S3HeldRecord, type S3LockRecord } from './s3LockRecord';
import type { S3Target } from './s3Target';

export interface S3LeaseStoreOptions {
  /** The local clock compared with the server's `Date` header (default `Date.now`; the plugin passes the LockClock's). */
  readonly wallClock?: () => number;
  /** The largest certain difference from the server's clock a lease may be taken or renewed with (default: TTL / 6). */
  readonly maxClockSkewMs?: number;
  /** This process, as named in the records it writes when it breaks a lock (default: host name and pid). */
  readonly host?: string;
  readonly pid?: number;
}

/** What this store instance knows of a lease it holds: the ETag its next write is conditional on. */
interface Held {
  etag: string;
  readonly ttlMs: number;
}

const ROUNDS = 8;

/**
 * The S3 lock (ADR 0009): generation keys `<root>.cairn-lock/<token, 12 digits>`; the newest one is the lock.
 * Every write is conditional: a generation is created with `If-None-Match: *` (of any number of contenders
 * exactly one gets it; the token is the generation), and from then on replaced only with `If-Match` on the
 * ETag the writer read — by its holder (renew, release) or, once, by whoever ends it for someone else (a
 * stale takeover, a forced release). A takeover therefore is a compare-and-swap against the exact lease it
 * judged stale: a renewal that lands first makes the takeover fail, and a takeover that lands first makes the
 * renewal fail (412: the holder's signal fires). Nothing is ever deleted conditionally (radosgw ignores
 * If-Match on DELETE): the next holder deletes generations below its own, whose names are dead.
 * Staleness is by TTL only, on the local clocks, which must agree with the server's (checked on every
 * acquisition and renewal, see ADR 0009).
 */
export class S3LeaseStore implements LeaseStore {
  readonly where: string;
  private readonly folder: S3LockFolder;
  private readonly held = new Map<string, Held>();
  private readonly clock: ServerClock;
  /** The newest generation this store saw last (see `lastSeenGeneration`). */
  private lastSeen: number | null = null;
  /** Deletions of superseded generations still running (see `collect`). */
  private collecting: Promise<void> = Promise.resolve();
  private readonly self: { readonly host: string; readonly pid: number };

  constructor(
    private readonly client: S3Client,
    private readonly target: S3Target,
    /** The endpoint (or `aws:<region>`), for messages and the probe cache. */
    private readonly endpoint: string,
    private readonly options: S3LeaseStoreOptions = {},
  ) {
    this.where = `${target.url}/${LOCK_FOLDER.slice(0, -1)} (${endpoint})`;
    this.folder = new S3LockFolder(client, target.bucket, target.root + LOCK_FOLDER, this.where);
    this.self = { host: options.host ?? os.hostname(), pid: options.pid ?? process.pid };
    this.clock = new ServerClock(client, options.wallClock ?? Date.now, endpoint);
  }

  async tryAcquire(claim: LeaseClaim, now: number): Promise<AcquireAttempt> {
    await this.probe();
    const ttlMs = claim.expiresAt - claim.acquiredAt;
    for (let round = 0; round < ROUNDS; round++) {
      const top = (round === 0 ? await this.lastSeenGeneration() : null) ?? (await this.top());
      this.refuseSkew(ttlMs); // before anything is written with this clock
      let mine: Generation | null = null;
      if (top && top.record !== 'unreadable' && isHeldRecord(top.record)) {
        if (top.record.owner === claim.owner) mine = top; // our own create, retried
        else if (top.record.expiresAt > now) return { acquired: false, holder: holderOfRecord(top.record) };
      }
      if (!mine && top && (top.record === 'unreadable' || isHeldRecord(top.record))) {
        // Stale: end exactly the lease we judged stale. If it changed meanwhile (renewed, taken), look again.
        if (!(await this.end(top, 'taken-over', claim.owner))) continue;
      }
      if (!mine) {
        const token = (top?.token ?? 0) + 1;
        if (token > LAST_GENERATION) throw this.exhausted(top!.token);
        const record: S3HeldRecord = { v: 1, ...claim, token };
        const etag = await this.folder.create(token, record);
        if (etag !== null) mine = { token, record, etag };
        else {
          // Taken: by another contender, or by our own earlier attempt whose response was lost (the SDK retried).
          const there = await this.folder.read(token);
          if (!there || there.record === 'unreadable' || !isHeldRecord(there.record)) {
            if (there) continue; // already ended again: look again
            return { acquired: false, holder: null }; // a racing create not readable yet (409)
          }
          this.lastSeen = token;
          if (there.record.owner !== claim.owner) return { acquired: false, holder: holderOfRecord(there.record) };
          mine = there;
        }
      }
      // A view older than a collection can create a name below the newest generation: that is not the lock.
      // Give it back and look again. Otherwise the lock is ours: delete the generations it supersedes.
      const tokens = await this.folder.tokens();
      if (tokens.some((t) => t > mine!.token)) {
        await this.folder.remove(mine.token);
        continue;
      }
      this.lastSeen = mine.token;
      this.collect(tokens.filter((t) => t < mine!.token));
      const record = mine.record as S3HeldRecord;
      this.held.set(heldKey(record), { etag: mine.etag, ttlMs });
      return { acquired: true, holder: holderOfRecord(record) };
    }
    return { acquired: false, holder: null };
  }

  async renew(holder: LockHolder, expiresAt: number): Promise<RenewOutcome> {
    const known = await this.known(holder);
    if (!known) return this.lost(holder);
    const next: S3HeldRecord = { v: 1, owner: holder.owner, host: holder.host, pid: holder.pid, token: holder.token, acquiredAt: holder.acquiredAt, expiresAt };
    let etag = await this.folder.replace(holder.token, next, known.etag);
    if (etag === null) {
      // A renewal whose response was lost meets its own write: still ours. If the SDK retried, the record is
      // the one just written; if an earlier renewal landed but failed here (its retries gave up), it is one of
      // ours with an ETag we never learnt. Either way no one ended it (that writes an end record), so it is
      // still ours: write again, conditional on what is there now.
      const there = await this.folder.read(holder.token);
      if (!there || !ownLease(there.record, holder)) return this.lost(holder);
      etag = there.record.expiresAt === expiresAt ? there.etag : await this.folder.replace(holder.token, next, there.etag);
      if (etag === null) return this.lost(holder);
    }
    known.etag = etag;
    const skew = this.skewBeyond(known.ttlMs);
    if (skew) {
      // The lease just written is measured with a clock the others do not share: stop, and free the lock.
      await this.release(holder);
      return { ok: false, reason: skew, holder: null };
    }
    return { ok: true, holder: holderOfRecord(next) };
  }

  async release(holder: LockHolder): Promise<void> {
    const known = await this.known(holder);
    this.held.delete(heldKey(holder));
    if (!known) return;
    const ended = { v: 1, ended: 'released', token: holder.token, by: { host: holder.host, pid: holder.pid, id: holder.owner } } as const;
    if ((await this.folder.replace(holder.token, ended, known.etag)) === null) {
      // Not the ETag we knew: taken over or forced (nothing to do), or still our lease, rewritten by a renewal
      // whose answer never reached us — then release that, or it would hold the lock until it runs out.
      const there = await this.folder.read(holder.token);
      if (there && ownLease(there.record, holder)) await this.folder.replace(holder.token, ended, there.etag);
    }
    await this.collecting;
  }

  async inspect(now: number): Promise<LockStatus | null> {
    const top = await this.top();
    if (top?.record === 'unreadable') return { ...unknownS3Holder(top.token), stale: true };
    if (!top || !isHeldRecord(top.record)) return null;
    return { ...holderOfRecord(top.record), stale: top.record.expiresAt <= now };
  }

  async forceRelease(): Promise<LockHolder | null> {
    await this.probe();
    const id = randomUUID();
    let broken: LockHolder | null = null;
    for (let round = 0; round < ROUNDS; round++) {
      const top = await this.top();
      if (!top) return null;
      const record = top.record;
      // Free, unless it is our own forced end whose response was lost (the SDK retried): then we broke it.
      if (record !== 'unreadable' && !isHeldRecord(record)) return record.ended === 'forced' && record.by.id === id ? broken : null;
      broken = record === 'unreadable' ? unknownS3Holder(top.token) : holderOfRecord(record);
      if (await this.end(top, 'forced', id)) return broken;
    }
    throw new CairnError('LOCK_HELD', `the lock ${this.where} kept changing while it was being broken: try again`);
  }

  /**
   * The first look of an acquisition re-reads the generation this store saw last as the newest: one GET
   * instead of a listing and a GET. While it is held by someone else, no newer one can exist (a generation is
   * succeeded only after it was ended), so a waiting contender's poll costs one request; once it has ended,
   * creating the next name either works or meets whoever was faster, and a view that is out of date is caught
   * after the create, like any (see `tryAcquire`). Null: look properly.
   */
  private async lastSeenGeneration(): Promise<Generation | null> {
    return this.lastSeen === null ? null : this.folder.read(this.lastSeen);
  }

  /**
   * Delete generations below our own (dead names) while the holder gets on with its work: garbage collection,
   * off the acquisition's critical path. A failure is harmless (the next holder deletes them); `release` waits.
   */
  private collect(tokens: readonly number[]): void {
    if (tokens.length === 0) return;
    const previous = this.collecting;
    this.collecting = Promise.all([previous, ...tokens.map((t) => this.folder.remove(t))]).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Resolves once the deletions of superseded generations started so far have finished (see `collect`). */
  settled(): Promise<void> {
    return this.collecting;
  }

  /** The newest generation (null: none), read; a generation collected between the listing and the read is looked for again. */
  private async top(): Promise<Generation | null> {
    for (let round = 0; ; round++) {
      const tokens = await this.folder.tokens();
      const newest = tokens.at(-1);
      this.lastSeen = newest ?? null;
      if (newest === undefined) return null;
      const read = await this.folder.read(newest);
      if (read) return read;
      if (round >= ROUNDS) {
        // Listed but never readable: a store whose listing disagrees with its reads (not a race with a collection).
        throw new CairnError(
          'IO_FAILED',
          `the lock ${this.where}: generation ${newest} is listed but cannot be read (${ROUNDS + 1} times); the store's listing is inconsistent — check the key, delete it if it is a leftover, and retry`,
        );
      }
    }
  }

  /** End someone else's generation (stale takeover, forced release), conditional on the ETag we read it with. */
  private async end(generation: Generation, how: EndedHow, id: string): Promise<boolean> {
    const record = { v: 1, ended: how, token: generation.token, by: { ...this.self, id } } as const;
    return (await this.folder.replace(generation.token, record, generation.etag)) !== null;
  }

  /** The ETag of a lease this store holds; for a holder acquired elsewhere, read and checked to be that owner's. */
  private async known(holder: LockHolder): Promise<Held | null> {
    const known = this.held.get(heldKey(holder));
    if (known) return known;
    const there = await this.folder.read(holder.token);
    if (!there || there.record === 'unreadable' || !isHeldRecord(there.record) || there.record.owner !== holder.owner) return null;
    const held = { etag: there.etag, ttlMs: holder.expiresAt - holder.acquiredAt };
    this.held.set(heldKey(holder), held);
    return held;
  }

  /** A lost lease: why (from what its generation says now), and who holds the lock now. */
  private async lost(holder: LockHolder): Promise<RenewOutcome> {
    this.held.delete(heldKey(holder));
    const own = await this.folder.read(holder.token);
    let reason = 'it was taken over or released by force (its generation is gone)';
    if (own) reason = own.record !== 'unreadable' && !isHeldRecord(own.record) ? howEnded(own.record) : 'its generation was rewritten by someone else';
    const top = await this.top();
    const now = top && top.record !== 'unreadable' && isHeldRecord(top.record) && top.record.owner !== holder.owner ? holderOfRecord(top.record) : null;
    return { ok: false, reason, holder: now };
  }

  /**
   * No generation follows the last 12-digit token: its key would not be listed, its holder would collect the
   * generation below it as superseded, and the next contender would start again at 1 — two holders.
   */
  private exhausted(token: number): CairnError {
    return new CairnError(
      'STORE_CORRUPT',
      `the lock ${this.where} is at generation ${token}, the last its 12-digit keys can name (written by something other than cairn?): ` +
        `make sure no cairn process uses the lock, then delete the keys under s3://${this.target.bucket}/${this.target.root}${LOCK_FOLDER} (tokens restart at 1)`,
    );
  }

  private probe(): Promise<void> {
    return ensureConditionalWrites(this.client, this.endpoint, this.target.bucket, this.target.root, { ifMatch: true });
  }

  private refuseSkew(ttlMs: number): void {
    const skew = this.skewBeyond(ttlMs);
    if (skew) throw new CairnError('CLOCK_SKEW', `the lock ${this.where} cannot be taken: ${skew}`);
  }

  /** Why the local clock is too far from the server's for a lease of `ttlMs` (default bound: a sixth of it), or null. */
  private skewBeyond(ttlMs: number): string | null {
    return this.clock.tooFar(this.options.maxClockSkewMs ?? Math.floor(ttlMs / 6), ttlMs);
  }
}

/** A lease record of this holder's: only its holder ever writes one at its token (an end record replaces it for good). */
const ownLease = (r: S3LockRecord | 'unreadable', holder: LockHolder): r is S3HeldRecord => r !== 'unreadable' && isHeldRecord(r) && r.owner === holder.owner && r.token === holder.token;

const heldKey = (h: { readonly owner: string; readonly token: number }): string => `${h.owner}\n${h.token}`;

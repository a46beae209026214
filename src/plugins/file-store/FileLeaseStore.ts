import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AcquireAttempt, LeaseClaim, LeaseStore, LockHolder, LockStatus, RenewOutcome } from '../../application/ports';
import { CairnError } from '../../domain';
import { pidAlive, thisHost, type HostIdentity } from './hostIdentity';
import { encodeRecord, generationName, generationOf, holderOf, isHeld, newestOf, parseRecord, unknownHolder, type HeldRecord, type LockRecord } from './lockRecord';

type Read = LockRecord | null | 'unreadable';

let attempts = 0;

/**
 * The file lock: a folder of generation files `<token, 12 digits>.lock`. The newest generation says who
 * holds the lock (or that it is free). A generation is taken by exclusive create (a complete temp file
 * hard-linked to the name: never a half-written lock), so of any number of contenders for the same free or
 * stale lock exactly one wins, and the token is the generation: persisted, strictly increasing, never reused.
 * Only the creator of a generation ever writes its name again (renewal and release, by rename), so no holder
 * can overwrite, renew or release someone else's lock. Older generations are removed by the next holder.
 * The remaining window (a holder paused between its last check and a write) is in ADR 0009.
 *
 * The file operations are synchronous, like the rest of the file store: a step is a few small calls (about
 * 40 µs each here), cheaper than a round trip through libuv's thread pool, and contenders in one process then
 * never interleave inside a step (contenders in other processes do: the 8-process test covers them).
 */
export class FileLeaseStore implements LeaseStore {
  constructor(
    readonly where: string,
    private readonly self: HostIdentity = thisHost(),
  ) {}

  async tryAcquire(claim: LeaseClaim, now: number): Promise<AcquireAttempt> {
    for (let round = 0; round < 8; round++) {
      const top = this.top();
      if (top && top.record !== 'unreadable' && isHeld(top.record)) {
        if (top.record.owner === claim.owner) return { acquired: true, holder: holderOf(top.record) }; // our retried create
        if (!this.stale(top.record, now)) return { acquired: false, holder: holderOf(top.record) };
      }
      const token = (top?.token ?? 0) + 1;
      const record: HeldRecord = { v: 1, ...claim, token, hostId: this.self.id };
      if (!this.create(token, record)) {
        const there = this.read(token);
        if (there !== 'unreadable' && there && isHeld(there) && there.owner === claim.owner) return { acquired: true, holder: holderOf(there) };
        continue; // another contender took this generation: look again
      }
      // A view of the folder older than a generation that was already collected can create a name below the
      // newest: that is not the lock. Give it back. Otherwise it is ours: remove what it supersedes.
      const names = this.names();
      if (newestOf(names) > token) {
        fs.rmSync(this.file(token), { force: true });
        continue;
      }
      this.collect(names, token);
      return { acquired: true, holder: holderOf(record) };
    }
    return { acquired: false, holder: null };
  }

  async renew(holder: LockHolder, expiresAt: number): Promise<RenewOutcome> {
    const newer = this.newer(holder);
    if (newer) return newer;
    const mine = this.read(holder.token);
    if (mine === 'unreadable' || !mine || !isHeld(mine) || mine.owner !== holder.owner) {
      return { ok: false, reason: 'its lock file was removed or replaced', holder: null };
    }
    const next: HeldRecord = { ...mine, expiresAt };
    this.replace(holder.token, next);
    return this.newer(holder) ?? { ok: true, holder: holderOf(next) };
  }

  async release(holder: LockHolder): Promise<void> {
    if (this.newest() !== holder.token) return;
    const mine = this.read(holder.token);
    if (mine === 'unreadable' || !mine || !isHeld(mine) || mine.owner !== holder.owner) return;
    this.replace(holder.token, { v: 1, released: true, token: holder.token, forced: false, by: { host: holder.host, pid: holder.pid } });
  }

  async inspect(now: number): Promise<LockStatus | null> {
    const top = this.top();
    if (top?.record === 'unreadable') return { ...unknownHolder(top.token), stale: true };
    if (!top || !isHeld(top.record)) return null;
    return { ...holderOf(top.record), stale: this.stale(top.record, now) };
  }

  async forceRelease(): Promise<LockHolder | null> {
    for (let round = 0; round < 8; round++) {
      const token = this.newest();
      if (token === 0) return null;
      const record = this.read(token);
      if (record === null) continue; // superseded meanwhile: look again
      if (record !== 'unreadable' && !isHeld(record)) return null;
      const mark = { v: 1, released: true, token: token + 1, forced: true, by: { host: this.self.host, pid: this.self.pid } } as const;
      if (this.create(token + 1, mark)) {
        return record !== 'unreadable' ? holderOf(record) : unknownHolder(token);
      }
    }
    throw new CairnError('LOCK_HELD', `the lock ${this.where} kept changing while it was being broken: try again`);
  }

  private stale(r: HeldRecord, now: number): boolean {
    if (r.expiresAt <= now) return true;
    return r.hostId === this.self.id && r.pid !== this.self.pid && !pidAlive(r.pid);
  }

  /** A generation newer than the holder's means it lost the lock: how, and to whom. */
  private newer(holder: LockHolder): RenewOutcome | null {
    const token = this.newest();
    if (token <= holder.token) return null;
    const r = this.read(token);
    if (r && r !== 'unreadable' && isHeld(r)) return { ok: false, reason: 'it was taken over', holder: holderOf(r) };
    if (r && r !== 'unreadable' && r.forced) return { ok: false, reason: `it was released by force (by pid ${r.by.pid} on host ${r.by.host})`, holder: null };
    return { ok: false, reason: 'it was taken over', holder: null };
  }

  /**
   * The newest generation. Unreadable content counts as a stale lock: we publish only whole files, so only an
   * OS crash (lock files are not fsynced: every holder died with it) or damage from outside leaves one, and
   * its token, which is its name, survives either way.
   */
  private top(): { token: number; record: LockRecord | 'unreadable' } | null {
    for (;;) {
      const token = this.newest();
      if (token === 0) return null;
      const record = this.read(token);
      if (record !== null) return { token, record };
      // superseded and collected between the listing and the read: look again
    }
  }

  private newest(): number {
    return newestOf(this.names());
  }

  private names(): string[] {
    try {
      return fs.readdirSync(this.where);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private read(token: number): Read {
    let text: string;
    try {
      text = fs.readFileSync(this.file(token), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return parseRecord(text, token) ?? 'unreadable';
  }

  /** Exclusive create of a generation, with complete content. False when the name is taken. */
  private create(token: number, record: LockRecord): boolean {
    const tmp = this.writeTemp(record);
    try {
      fs.linkSync(tmp, this.file(token));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** Replace our own generation's content (renewal, release): atomic, and only ever our own name. */
  private replace(token: number, record: LockRecord): void {
    const tmp = this.writeTemp(record);
    try {
      fs.renameSync(tmp, this.file(token));
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  private writeTemp(record: LockRecord): string {
    const tmp = path.join(this.where, `${this.tempPrefix()}${++attempts}-${record.token}`);
    // Not fsynced: a lock only matters to live processes, and an OS crash ends them all (see `top`).
    const write = (): void => fs.writeFileSync(tmp, encodeRecord(record), { flag: 'wx', mode: 0o644 });
    try {
      write();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(this.where, { recursive: true });
      write();
    }
    return tmp;
  }

  /** Remove generations older than ours (they can never be taken again) and leftovers of crashed writers. */
  private collect(names: readonly string[], token: number): void {
    for (const name of names) {
      const gen = generationOf(name);
      if (gen !== null && gen < token) fs.rmSync(path.join(this.where, name), { force: true });
      else if (name.startsWith('.tmp-') && !name.startsWith(this.tempPrefix())) this.removeIfOld(path.join(this.where, name));
    }
  }

  private removeIfOld(file: string): void {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > 3_600_000) fs.rmSync(file, { force: true });
  }

  /** Temp names are unique per host, pid and attempt (several hosts may share the folder). */
  private tempPrefix(): string {
    return `.tmp-${this.self.id}-${this.self.pid}-`;
  }

  private file(token: number): string {
    return path.join(this.where, generationName(token));
  }
}

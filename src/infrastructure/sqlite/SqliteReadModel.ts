import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import type { ConflictView, EntryView, OriginStatus, Projection, ReadModel, SearchHit, StreamSummary } from '../../application/ports';
import { BUILTIN_OPS, type ContentHash, type DomainEvent, type GlobalId, type Json, type MetaEvent, type OriginId } from '../../domain';
import { ContentProjection } from './ContentProjection';
import { MetaProjection } from './MetaProjection';
import { SCHEMA, SCHEMA_VERSION } from './schema';
import { ftsQuery } from './ftsQuery';
import { StatusProjection } from './StatusProjection';
import { BACKSTOP_PAGES, WalCheckpointer } from './WalCheckpointer';

interface StreamRow {
  title: string | null;
  starred: string | null;
  trashed: string | null;
  gid: string;
  origin: string;
  stream: string;
  kind: string;
  created_at: string;
  entries: number;
  sealed: number;
  updated_at: string;
}

const MEMORY = ':memory:';

/** Streams with their metadata registers (title, starred, trashed) joined in. */
const STREAM_VIEW = `SELECT s.*, t.value AS title, st.value AS starred, tr.value AS trashed FROM streams s
  LEFT JOIN registers t ON t.stream = s.gid AND t.ordinal = -1 AND t.field = 'title'
  LEFT JOIN registers st ON st.stream = s.gid AND st.ordinal = -1 AND st.field = 'starred'
  LEFT JOIN registers tr ON tr.stream = s.gid AND tr.ordinal = -1 AND tr.field = 'trashed'`;

/**
 * The read model in SQLite (better-sqlite3): a projection of the store that can be deleted at any time.
 * A database of another schema version, or one SQLite cannot read, is moved aside and rebuilt.
 */
export class SqliteReadModel implements ReadModel {
  private db!: Database.Database;
  private content!: ContentProjection;
  private status!: StatusProjection;
  private meta!: MetaProjection;
  /** Stable projection objects that forward to the current database (it is replaced by `reset`). */
  readonly projections: readonly Projection[] = [
    { name: 'content', apply: (e) => this.applied(this.content, e) },
    { name: 'status', apply: (e) => this.applied(this.status, e) },
    { name: 'meta', apply: (e) => this.applied(this.meta, e) },
  ];
  /** Checkpoints the WAL on a second thread (null for an in-memory database). */
  private checkpointer: WalCheckpointer | null = null;

  private statements = new Map<string, Database.Statement>();
  /** The database file this connection opened (device and inode), to notice another process's rebuild. */
  private opened: string | null = null;

  /**
   * `exclusive`: whether this process may remove or replace database files while opening (a WAL left by a
   * deleted database, an old schema, an unreadable file). Only a holder of the store's lock may: another
   * process could be creating those files at that moment. Without it, such an open throws
   * NeedsExclusiveOpen, and the caller takes the lock and opens again.
   */
  constructor(
    private readonly file: string,
    private readonly isKnownMeta: (event: MetaEvent) => boolean = (e) => e.op in BUILTIN_OPS,
    options: { exclusive?: boolean } = {},
  ) {
    this.open(options.exclusive ?? true);
  }

  /** Prepared once per database, reused by every call (the hot queries run per stream and per origin). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  streamPosition(gid: GlobalId): { entries: number; manifest: ContentHash | null } | null {
    const row = this.stmt('SELECT entries, manifest FROM streams WHERE gid = ?').get(gid) as
      | { entries: number; manifest: ContentHash | null }
      | undefined;
    return row ?? null;
  }

  originPosition(origin: OriginId): { seq: number; hash: ContentHash } | null {
    const row = this.stmt('SELECT seq, hash FROM origins WHERE origin = ?').get(origin) as { seq: number; hash: ContentHash } | undefined;
    return row ?? null;
  }

  listStreams(options: { origin?: OriginId; includeTrashed?: boolean }): StreamSummary[] {
    const rows = (
      options.origin
        ? this.stmt(`${STREAM_VIEW} WHERE s.origin = ? ORDER BY s.updated_at DESC, s.gid`).all(options.origin)
        : this.stmt(`${STREAM_VIEW} ORDER BY s.updated_at DESC, s.gid`).all()
    ) as StreamRow[];
    return rows.map(toSummary).filter((s) => options.includeTrashed || !s.trashed);
  }

  getStream(gid: GlobalId): StreamSummary | null {
    const row = this.stmt(`${STREAM_VIEW} WHERE s.gid = ?`).get(gid) as StreamRow | undefined;
    return row ? toSummary(row) : null;
  }

  entries(gid: GlobalId, from: number, limit: number): EntryView[] {
    const rows = this.stmt(
      `SELECT e.ordinal, e.ts, e.body, r.value AS pinned FROM entries e
       LEFT JOIN registers r ON r.stream = e.gid AND r.ordinal = e.ordinal AND r.field = 'pinned'
       WHERE e.gid = ? AND e.ordinal >= ? ORDER BY e.ordinal LIMIT ?`,
    ).all(gid, from, limit) as { ordinal: number; ts: string; body: string; pinned: string | null }[];
    return rows.map((r) => ({ ordinal: r.ordinal, ts: r.ts, body: JSON.parse(r.body) as Json, pinned: r.pinned === 'true' }));
  }

  register(stream: GlobalId, ordinal: number | null, field: string): { value: Json; hash: ContentHash; hlc: string } | null {
    const row = this.stmt('SELECT value, hash, hlc FROM registers WHERE stream = ? AND ordinal = ? AND field = ?').get(stream, ordinal ?? -1, field) as
      | { value: string; hash: ContentHash; hlc: string }
      | undefined;
    return row ? { value: JSON.parse(row.value) as Json, hash: row.hash, hlc: row.hlc } : null;
  }

  isPurged(stream: GlobalId): boolean {
    return this.stmt('SELECT 1 FROM purged WHERE stream = ?').get(stream) !== undefined;
  }

  conflicts(stream?: GlobalId): ConflictView[] {
    const rows = (stream
      ? this.stmt('SELECT * FROM conflicts WHERE stream = ? ORDER BY stream, ordinal, field, loser_hlc').all(stream)
      : this.stmt('SELECT * FROM conflicts ORDER BY stream, ordinal, field, loser_hlc').all()) as Record<string, string | number>[];
    return rows.map((r) => ({
      target: (r.ordinal as number) >= 0 ? { stream: r.stream as GlobalId, ordinal: r.ordinal as number } : { stream: r.stream as GlobalId },
      field: r.field as string,
      winner: { origin: r.winner_origin as OriginId, hlc: r.winner_hlc as string, value: JSON.parse(r.winner_value as string) as Json },
      loser: { origin: r.loser_origin as OriginId, hlc: r.loser_hlc as string, value: JSON.parse(r.loser_value as string) as Json },
    }));
  }

  metaCursor(origin: OriginId): string | null {
    return (this.stmt('SELECT MAX(hlc) AS h FROM meta_events WHERE origin = ?').get(origin) as { h: string | null }).h;
  }

  missingMeta(origin: OriginId): string[] {
    return (this.stmt('SELECT stem FROM meta_missing WHERE origin = ? ORDER BY stem').all(origin) as { stem: string }[]).map((r) => r.stem);
  }

  lateMeta(origin: OriginId): string[] {
    return (this.stmt('SELECT stem FROM meta_late WHERE origin = ? ORDER BY stem').all(origin) as { stem: string }[]).map((r) => r.stem);
  }

  maxHlc(): string | null {
    return (this.stmt('SELECT MAX(hlc) AS h FROM meta_events').get() as { h: string | null }).h;
  }

  reapplyUnknownMeta(): number {
    return this.meta.reapplyUnknown();
  }

  search(query: string, limit: number): SearchHit[] {
    const match = ftsQuery(query);
    if (match === null) return [];
    const rows = this.db
      .prepare(
        `SELECT gid, ordinal, snippet(entries_fts, 0, '[', ']', '…', 12) AS snippet
         FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rank, gid, ordinal LIMIT ?`,
      )
      .all(match, limit) as { gid: GlobalId; ordinal: number; snippet: string }[];
    return rows.map((r) => ({ stream: r.gid, ordinal: r.ordinal, snippet: r.snippet }));
  }

  origins(): OriginStatus[] {
    const rows = this.db
      .prepare(
        `SELECT o.origin AS origin, COALESCE(c.seq, 0) AS seq, c.hash AS hash, c.published_at AS published_at,
                COALESCE(s.n, 0) AS streams, COALESCE(s.e, 0) AS entries,
                (SELECT COUNT(*) FROM conflicts k WHERE k.loser_origin = o.origin) AS conflicts
         FROM (SELECT origin FROM origins UNION SELECT origin FROM streams) o
         LEFT JOIN origins c ON c.origin = o.origin
         LEFT JOIN (SELECT origin, COUNT(*) AS n, SUM(entries) AS e FROM streams GROUP BY origin) s ON s.origin = o.origin
         ORDER BY o.origin`,
      )
      .all() as { origin: OriginId; seq: number; hash: ContentHash | null; published_at: string | null; streams: number; entries: number; conflicts: number }[];
    return rows.map((r) => ({
      origin: r.origin,
      checkpoint: r.seq,
      checkpointHash: r.hash,
      publishedAt: r.published_at,
      streams: r.streams,
      entries: r.entries,
      conflicts: r.conflicts,
    }));
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return work();
    this.db.exec('BEGIN');
    try {
      const result = await work();
      this.db.exec('COMMIT');
      this.checkpointer?.committed();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  syncCursor(target: string, origin: OriginId): number {
    const row = this.stmt('SELECT seq FROM sync_cursors WHERE target = ? AND origin = ?').get(target, origin) as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  setSyncCursor(target: string, origin: OriginId, seq: number): void {
    this.db
      .prepare('INSERT INTO sync_cursors (target, origin, seq) VALUES (?, ?, ?) ON CONFLICT (target, origin) DO UPDATE SET seq = excluded.seq')
      .run(target, origin, seq);
  }

  syncCursorKey(target: string, name: string): string | null {
    return (this.stmt('SELECT key FROM sync_keys WHERE target = ? AND name = ?').get(target, name) as { key: string } | undefined)?.key ?? null;
  }

  setSyncCursorKey(target: string, name: string, key: string): void {
    this.stmt('INSERT INTO sync_keys (target, name, key) VALUES (?, ?, ?) ON CONFLICT (target, name) DO UPDATE SET key = excluded.key').run(target, name, key);
  }

  /** Rows of a table, for tests that compare a rebuilt database with an incrementally maintained one. */
  dump(sql: string): unknown[] {
    return this.db.prepare(sql).all();
  }

  reset(): void {
    this.closeDb();
    this.removeFiles();
    this.open(true); // mutations hold the store's lock
  }

  revalidate(): void {
    if (this.file === MEMORY || this.opened === fileIdentity(this.file)) return;
    this.closeDb();
    this.open(true); // called right after taking the store's lock
  }

  close(): void {
    this.closeDb();
  }

  /** Apply an event to a projection: outside a transaction, that was a commit (the checkpointer follows it). */
  private applied(projection: Projection, event: DomainEvent): void {
    projection.apply(event);
    if (!this.db.inTransaction) this.checkpointer?.committed();
  }

  /** The checkpointer's connection goes first: the database may be removed or replaced next. */
  private closeDb(): void {
    void this.checkpointer?.stop();
    this.checkpointer = null;
    if (this.db.open) this.db.close();
  }

  private open(exclusive: boolean): void {
    try {
      this.db = this.connect(exclusive);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (this.file === MEMORY || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw err;
      if (!exclusive) throw new NeedsExclusiveOpen(this.file, 'is unreadable');
      // The read model is only a projection: keep the unreadable file for inspection and start again.
      fs.renameSync(this.file, `${this.file}.unreadable-${process.pid}`);
      this.removeFiles();
      this.db = this.connect(exclusive);
    }
    this.opened = this.file === MEMORY ? null : fileIdentity(this.file);
    this.checkpointer = this.file === MEMORY ? null : new WalCheckpointer(this.file);
    this.statements = new Map();
    this.content = new ContentProjection(this.db);
    this.status = new StatusProjection(this.db);
    this.meta = new MetaProjection(this.db, this.isKnownMeta);
  }

  private connect(exclusive: boolean): Database.Database {
    // A WAL left beside a deleted database belongs to that database: never replay it into a new one.
    if (this.file !== MEMORY && !fs.existsSync(this.file)) {
      if (!exclusive) throw new NeedsExclusiveOpen(this.file, 'does not exist yet');
      this.removeFiles();
    }
    const db = new Database(this.file);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // The WAL checkpointer copies the WAL back on a second thread; SQLite's own checkpoint is the backstop.
      if (this.file !== MEMORY) db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
      const version = db.pragma('user_version', { simple: true }) as number;
      const hasTables = (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n > 0;
      if (hasTables && version !== SCHEMA_VERSION) {
        db.close();
        if (!exclusive) throw new NeedsExclusiveOpen(this.file, `has schema version ${version}, not ${SCHEMA_VERSION}`);
        this.removeFiles();
        return this.connect(exclusive);
      }
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return db;
    } catch (err) {
      if (db.open) db.close();
      throw err;
    }
  }

  private removeFiles(): void {
    if (this.file === MEMORY) return;
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(this.file + suffix, { force: true });
  }
}

/** Opening the read model needs to remove or replace its files: retry holding the store's lock. */
export class NeedsExclusiveOpen extends Error {
  override readonly name = 'NeedsExclusiveOpen';

  constructor(file: string, why: string) {
    super(`the read model ${file} ${why}: it is (re)created under the store's lock`);
  }
}

function fileIdentity(file: string): string | null {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.dev}:${stat.ino}` : null;
}

function toSummary(r: StreamRow): StreamSummary {
  return {
    id: r.gid as GlobalId,
    origin: r.origin as OriginId,
    stream: r.stream,
    kind: r.kind,
    title: r.title === null ? null : (JSON.parse(r.title) as string),
    entries: r.entries,
    sealed: r.sealed,
    starred: r.starred === 'true',
    trashed: r.trashed === 'true',
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

import type Database from 'better-sqlite3';
import type { Projection } from '../../application/ports';
import { canonicalize, conflictsAmong, parseMetaStem, type ContentHash, type DomainEvent, type Json, type MetaEvent, type OriginId, type RegisterEvent } from '../../domain';

interface EventRow {
  hash: string;
  origin: string;
  hlc: string;
  value: string;
  base: string | null;
}

/**
 * The last-writer-wins registers and the conflict log. Every accepted metadata event is kept; a register is
 * recomputed from the events of its (target, field) whenever one arrives or its target appears, so the
 * result depends only on the set of events, never on their order (rebuild equals incremental). An event
 * whose target is not here yet stays deferred; one whose op is not understood is kept, not applied. Purge is
 * a terminal tombstone: the stream goes, and content for it is never accepted again.
 */
export class MetaProjection implements Projection {
  readonly name = 'meta';
  private readonly st: Record<string, Database.Statement>;

  constructor(
    private readonly db: Database.Database,
    private readonly isKnown: (event: MetaEvent) => boolean,
  ) {
    this.st = {
      hasEvents: db.prepare('SELECT 1 FROM meta_events WHERE stream = ? LIMIT 1'),
      insert: db.prepare(
        `INSERT OR IGNORE INTO meta_events (hash, origin, hlc, stream, ordinal, op, field, value, base, known, superseded)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                 EXISTS (SELECT 1 FROM meta_events INDEXED BY meta_by_base WHERE base = ? AND known = 1 AND stream = ? AND ordinal = ? AND field = ?))`,
      ),
      // Only an understood event of the same register supersedes: the set the domain's rule looks at.
      supersede: db.prepare('UPDATE meta_events SET superseded = 1 WHERE hash = ? AND stream = ? AND ordinal = ? AND field = ?'),
      winner: db.prepare(
        `SELECT hash, origin, hlc, value, base FROM meta_events WHERE stream = ? AND ordinal = ? AND field = ? AND known = 1
         ORDER BY hlc DESC, origin DESC, hash DESC LIMIT 1`,
      ),
      keys: db.prepare('SELECT DISTINCT ordinal, field FROM meta_events WHERE stream = ? AND known = 1'),
      rivals: db.prepare(
        `SELECT hash, origin, hlc, value, base FROM meta_events WHERE stream = ? AND ordinal = ? AND field = ? AND known = 1
         AND superseded = 0 AND origin <> ? AND value <> ?`,
      ),
      stream: db.prepare('SELECT entries FROM streams WHERE gid = ?'),
      isPurged: db.prepare('SELECT 1 FROM purged WHERE stream = ?'),
      upsert: db.prepare(
        `INSERT INTO registers (stream, ordinal, field, value, hlc, origin, hash) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (stream, ordinal, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin, hash = excluded.hash`,
      ),
      dropRegister: db.prepare('DELETE FROM registers WHERE stream = ? AND ordinal = ? AND field = ?'),
      dropConflicts: db.prepare('DELETE FROM conflicts WHERE stream = ? AND ordinal = ? AND field = ?'),
      conflict: db.prepare(
        `INSERT INTO conflicts (stream, ordinal, field, loser, winner, winner_origin, winner_hlc, winner_value, loser_origin, loser_hlc, loser_value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      unknown: db.prepare('SELECT hash, origin, hlc, stream, ordinal, op, field, value, base FROM meta_events WHERE known = 0'),
      markKnown: db.prepare('UPDATE meta_events SET known = 1 WHERE hash = ?'),
      found: db.prepare('DELETE FROM meta_missing WHERE origin = ? AND stem = ?'),
      has: db.prepare('SELECT 1 FROM meta_events WHERE hash = ?'),
      missing: db.prepare('INSERT OR IGNORE INTO meta_missing (origin, stem) VALUES (?, ?)'),
      // Arrived after a successor (below the push cursor): relayed by push explicitly. A sync aid, not
      // part of the projection's comparable state.
      late: db.prepare('INSERT OR IGNORE INTO meta_late (origin, stem) VALUES (?, ?)'),
    };
  }

  apply(event: DomainEvent): void {
    switch (event.type) {
      case 'MetaAccepted':
        this.db.transaction(() => this.accept(event.hash, event.event))();
        return;
      case 'MetaBatchAccepted':
        this.db.transaction(() => {
          for (const e of event.events) this.accept(e.hash, e.event);
        })();
        return;
      case 'EntriesAppended':
      case 'SegmentAccepted':
      case 'ManifestAccepted':
        // Asked of the database, not cached: another process may have added events to this stream.
        if (this.st.hasEvents!.get(event.gid)) this.db.transaction(() => this.recomputeStream(event.gid))();
        return;
      default:
        return;
    }
  }

  /** Apply events kept as not understood whose op is understood now (after an upgrade or a plugin). */
  reapplyUnknown(): number {
    let applied = 0;
    const rows = this.st.unknown!.all() as (EventRow & { stream: string; ordinal: number; op: string; field: string })[];
    this.db.transaction(() => {
      for (const r of rows) {
        const event = toEvent(r);
        if (!this.isKnown(event)) continue;
        this.st.markKnown!.run(r.hash);
        this.afterInsert(event);
        applied++;
      }
    })();
    return applied;
  }

  private accept(hash: ContentHash, e: MetaEvent): void {
    const ordinal = e.target.ordinal ?? -1;
    const known = this.isKnown(e);
    const inserted = this.st.insert!.run(hash, e.origin, e.hlc, e.target.stream, ordinal, e.op, e.field, canonicalize(e.value), e.base ?? null, known ? 1 : 0, hash, e.target.stream, ordinal, e.field);
    if (inserted.changes === 0) return;
    // The author's chain: an event names its predecessor, so a predecessor that has not arrived is known to
    // be missing (and is fetched by name) instead of being passed over by a cursor.
    if (this.st.found!.run(e.origin, `${e.hlc}-${hash}`).changes > 0) this.st.late!.run(e.origin, `${e.hlc}-${hash}`);
    const prev = e.prev ? parseMetaStem(e.prev) : null;
    if (prev && !this.st.has!.get(prev.hash)) this.st.missing!.run(e.origin, e.prev);
    if (!known) return;
    this.afterInsert(e);
  }

  private afterInsert(e: MetaEvent): void {
    if (e.base) this.st.supersede!.run(e.base, e.target.stream, e.target.ordinal ?? -1, e.field);
    if (e.op === 'purge') this.purge(e.target.stream);
    else this.recompute(e.target.stream, e.target.ordinal ?? -1, e.field);
  }

  private recomputeStream(stream: string): void {
    for (const key of this.st.keys!.all(stream) as { ordinal: number; field: string }[]) this.recompute(stream, key.ordinal, key.field);
  }

  private recompute(stream: string, ordinal: number, field: string): void {
    if (this.st.isPurged!.get(stream)) return;
    const row = this.st.stream!.get(stream) as { entries: number } | undefined;
    if (field === 'purged') {
      this.purge(stream);
      return;
    }
    this.st.dropConflicts!.run(stream, ordinal, field);
    if (!row || (ordinal >= 0 && ordinal >= row.entries)) {
      this.st.dropRegister!.run(stream, ordinal, field); // the target is not here yet: deferred
      return;
    }
    // Only the winner and its rivals (heads of other origins with other values: the conflicts) are read, so
    // the cost of an event does not grow with the register's history.
    const top = this.st.winner!.get(stream, ordinal, field) as EventRow | undefined;
    if (!top) return;
    const rivals = (this.st.rivals!.all(stream, ordinal, field, top.origin, top.value) as EventRow[]).map(toRegisterEvent);
    const { winner, conflicts } = conflictsAmong(rivals, toRegisterEvent(top));
    this.st.upsert!.run(stream, ordinal, field, canonicalize(winner.value), winner.hlc, winner.origin, winner.hash);
    for (const loser of conflicts) {
      this.st.conflict!.run(
        stream, ordinal, field, loser.hash, winner.hash,
        winner.origin, winner.hlc, canonicalize(winner.value),
        loser.origin, loser.hlc, canonicalize(loser.value),
      );
    }
  }

  private purge(stream: string): void {
    this.db.prepare('INSERT OR IGNORE INTO purged (stream) VALUES (?)').run(stream);
    this.db.prepare('DELETE FROM entries_fts WHERE gid = ?').run(stream);
    this.db.prepare('DELETE FROM entries WHERE gid = ?').run(stream);
    this.db.prepare('DELETE FROM streams WHERE gid = ?').run(stream);
    this.db.prepare('DELETE FROM registers WHERE stream = ?').run(stream);
    this.db.prepare('DELETE FROM conflicts WHERE stream = ?').run(stream);
  }
}

function toRegisterEvent(r: EventRow): RegisterEvent {
  const e: RegisterEvent = { hash: r.hash as ContentHash, hlc: r.hlc, origin: r.origin as OriginId, value: JSON.parse(r.value) as Json };
  return r.base ? { ...e, base: r.base as ContentHash } : e;
}

function toEvent(r: EventRow & { stream: string; ordinal: number; op: string; field: string }): MetaEvent {
  const target = r.ordinal >= 0 ? { stream: r.stream as never, ordinal: r.ordinal } : { stream: r.stream as never };
  const e: MetaEvent = { v: 1, hlc: r.hlc, origin: r.origin as OriginId, target, op: r.op, field: r.field, value: JSON.parse(r.value) as Json };
  return r.base ? { ...e, base: r.base as ContentHash } : e;
}

import type Database from 'better-sqlite3';
import type { Projection } from '../../application/ports';
import { CairnError, canonicalize, searchText, type DomainEvent, type Entry, type GlobalId, type OriginId, type StreamHeader, type StreamId } from '../../domain';

interface Row {
  entries: number;
  sealed: number;
}

/**
 * Streams, entries and full-text search. Position: per stream, the number of entries applied and the
 * manifest applied. Entries below the position are skipped, so replays are harmless.
 */
export class ContentProjection implements Projection {
  readonly name = 'content';
  private readonly getRow: Database.Statement<[string], Row>;
  private readonly insertStream: Database.Statement;
  private readonly insertEntry: Database.Statement;
  private readonly insertFts: Database.Statement;
  private readonly setEntries: Database.Statement;
  private readonly setManifest: Database.Statement;
  private readonly isPurged: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.getRow = db.prepare('SELECT entries, sealed FROM streams WHERE gid = ?');
    this.insertStream = db.prepare(
      `INSERT INTO streams (gid, origin, stream, kind, created_at, attrs, entries, sealed, manifest, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, NULL, ?)`,
    );
    this.insertEntry = db.prepare('INSERT INTO entries (gid, ordinal, ts, body) VALUES (?, ?, ?, ?)');
    this.insertFts = db.prepare('INSERT INTO entries_fts (text, gid, ordinal) VALUES (?, ?, ?)');
    this.setEntries = db.prepare('UPDATE streams SET entries = ?, updated_at = ? WHERE gid = ?');
    this.setManifest = db.prepare('UPDATE streams SET sealed = ?, manifest = ? WHERE gid = ?');
    this.isPurged = db.prepare('SELECT 1 FROM purged WHERE stream = ?');
  }

  apply(event: DomainEvent): void {
    if ((event.type === 'EntriesAppended' || event.type === 'SegmentAccepted' || event.type === 'ManifestAccepted') && this.isPurged.get(event.gid)) {
      return; // purge is terminal: content of a purged stream never comes back, from any peer
    }
    switch (event.type) {
      case 'EntriesAppended':
      case 'SegmentAccepted':
        this.db.transaction(() => this.applyEntries(event.gid, event.origin, event.stream, event.header, event.entries, event.texts, event.searchTexts))();
        return;
      case 'ManifestAccepted':
        this.db.transaction(() => {
          const row = this.ensure(event.gid, event.origin, event.stream, event.manifest.header);
          if (event.manifest.entries >= row.sealed) this.setManifest.run(event.manifest.entries, event.hash, event.gid);
        })();
        return;
      default:
        return;
    }
  }

  private applyEntries(gid: GlobalId, origin: OriginId, stream: StreamId, header: StreamHeader, entries: readonly Entry[], texts?: readonly string[], searchTexts?: readonly string[]): void {
    const row = this.ensure(gid, origin, stream, header);
    const first = entries[0];
    if (!first) return;
    if (first.ordinal > row.entries) {
      throw new CairnError('STORE_CORRUPT', `read model of ${gid} has ${row.entries} entries but was given ordinal ${first.ordinal}; run \`cairn rebuild\``);
    }
    let last: Entry | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.ordinal < row.entries) continue;
      this.insertEntry.run(gid, e.ordinal, e.ts, texts?.[i] ?? canonicalize(e.body));
      this.insertFts.run(searchTexts?.[i] ?? searchText(e.body), gid, e.ordinal);
      last = e;
    }
    if (last) this.setEntries.run(last.ordinal + 1, last.ts, gid);
  }

  private ensure(gid: GlobalId, origin: OriginId, stream: StreamId, header: StreamHeader): Row {
    const row = this.getRow.get(gid);
    if (row) return row;
    this.insertStream.run(gid, origin, stream, header.kind, header.createdAt, canonicalize(header.attrs), header.createdAt);
    return { entries: 0, sealed: 0 };
  }
}

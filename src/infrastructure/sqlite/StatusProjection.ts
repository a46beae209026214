import type Database from 'better-sqlite3';
import type { Projection } from '../../application/ports';
import type { DomainEvent } from '../../domain';

/** Per origin, the newest checkpoint applied. Never moves backwards. */
export class StatusProjection implements Projection {
  readonly name = 'status';
  private readonly upsert: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO origins (origin, seq, hash, published_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, published_at = excluded.published_at
       WHERE excluded.seq > origins.seq`,
    );
  }

  apply(event: DomainEvent): void {
    if (event.type !== 'CheckpointAccepted') return;
    this.upsert.run(event.origin, event.checkpoint.seq, event.hash, event.checkpoint.publishedAt);
  }
}

import type { ContentHash, DomainEvent, GlobalId, Json, OriginId } from '../../domain';

/** A projection folds domain events into its own state, idempotently, and keeps its own position. */
export interface Projection {
  readonly name: string;
  apply(event: DomainEvent): void;
}

export interface StreamSummary {
  readonly id: GlobalId;
  readonly origin: OriginId;
  readonly stream: string;
  readonly kind: string;
  readonly title: string | null;
  readonly entries: number;
  readonly sealed: number;
  readonly starred: boolean;
  readonly trashed: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface EntryView {
  readonly ordinal: number;
  readonly ts: string;
  readonly body: Json;
  readonly pinned: boolean;
}

export interface ConflictView {
  readonly target: { readonly stream: GlobalId; readonly ordinal?: number };
  readonly field: string;
  readonly winner: { readonly origin: OriginId; readonly hlc: string; readonly value: Json };
  readonly loser: { readonly origin: OriginId; readonly hlc: string; readonly value: Json };
}

export interface SearchHit {
  readonly stream: GlobalId;
  readonly ordinal: number;
  readonly snippet: string;
}

export interface OriginStatus {
  readonly origin: OriginId;
  readonly checkpoint: number;
  readonly checkpointHash: ContentHash | null;
  readonly publishedAt: string | null;
  readonly streams: number;
  readonly entries: number;
  /** Conflict-log entries whose losing edit came from this origin. */
  readonly conflicts: number;
}

/** The SQLite read model: projections plus the queries the CLI and library answer from it. */
export interface ReadModel {
  /** The projections to subscribe to the event stream. */
  readonly projections: readonly Projection[];
  /** How far the read model has applied a stream (entries applied, manifest applied). */
  streamPosition(gid: GlobalId): { entries: number; manifest: ContentHash | null } | null;
  /** The checkpoint the status projection has applied for an origin. */
  originPosition(origin: OriginId): { seq: number; hash: ContentHash } | null;
  listStreams(options: { origin?: OriginId; includeTrashed?: boolean }): StreamSummary[];
  getStream(gid: GlobalId): StreamSummary | null;
  entries(gid: GlobalId, from: number, limit: number): EntryView[];
  search(query: string, limit: number): SearchHit[];
  origins(): OriginStatus[];
  /**
   * Run work (which may await) inside one SQLite transaction: every event it publishes is applied, or none.
   * Used to apply each imported stream atomically.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** The newest checkpoint seq of an origin known to be on a target (an optimisation; the target is the truth). */
  syncCursor(target: string, origin: OriginId): number;
  setSyncCursor(target: string, origin: OriginId, seq: number): void;
  /** A named key cursor on a target (the newest metadata event pushed there). */
  syncCursorKey(target: string, name: string): string | null;
  setSyncCursorKey(target: string, name: string, key: string): void;
  /** The winning value of a metadata register, or null when no edit of it has been applied. */
  register(stream: GlobalId, ordinal: number | null, field: string): { value: Json; hash: ContentHash; hlc: string } | null;
  /** Whether a stream was purged (a tombstone: it never comes back). */
  isPurged(stream: GlobalId): boolean;
  /** The conflict log, optionally for one stream. */
  conflicts(stream?: GlobalId): ConflictView[];
  /** The newest metadata HLC applied from an origin (its events are read after it), or null. */
  metaCursor(origin: OriginId): string | null;
  /** Name stems of an origin's events that later events name as their predecessor but that are not here. */
  missingMeta(origin: OriginId): string[];
  /** Name stems of an origin's events that arrived after a successor (push sends them explicitly). */
  lateMeta(origin: OriginId): string[];
  /** The newest HLC of any applied metadata event (the local clock never issues below it). */
  maxHlc(): string | null;
  /** Apply kept events whose op is understood now; returns how many. */
  reapplyUnknownMeta(): number;
  /** Drop everything: the start of a rebuild. */
  reset(): void;
  /**
   * Another process may have written since this one last held the store's lock: drop what is cached, and
   * reopen the database if it was replaced (another process's rebuild).
   */
  revalidate(): void;
  close(): void;
}

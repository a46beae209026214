/** Bump when the read model's tables change: a database of another version is dropped and rebuilt. */
export const SCHEMA_VERSION = 6;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  gid TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  stream TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attrs TEXT NOT NULL,
  entries INTEGER NOT NULL,
  sealed INTEGER NOT NULL,
  manifest TEXT,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS streams_by_origin ON streams (origin);
CREATE TABLE IF NOT EXISTS entries (
  gid TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  ts TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (gid, ordinal)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(text, gid UNINDEXED, ordinal UNINDEXED, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS meta_events (
  hash TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  hlc TEXT NOT NULL,
  stream TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  op TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  base TEXT,
  known INTEGER NOT NULL,
  superseded INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS meta_by_key ON meta_events (stream, ordinal, field, known, superseded);
CREATE INDEX IF NOT EXISTS meta_by_order ON meta_events (stream, ordinal, field, known, hlc, origin, hash);
CREATE INDEX IF NOT EXISTS meta_by_base ON meta_events (base, stream, ordinal, field, known);
CREATE INDEX IF NOT EXISTS meta_by_origin ON meta_events (origin, hlc);
CREATE INDEX IF NOT EXISTS meta_by_hlc ON meta_events (hlc);
CREATE TABLE IF NOT EXISTS registers (
  stream TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  hlc TEXT NOT NULL,
  origin TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (stream, ordinal, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conflicts (
  stream TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  field TEXT NOT NULL,
  loser TEXT NOT NULL,
  winner TEXT NOT NULL,
  winner_origin TEXT NOT NULL,
  winner_hlc TEXT NOT NULL,
  winner_value TEXT NOT NULL,
  loser_origin TEXT NOT NULL,
  loser_hlc TEXT NOT NULL,
  loser_value TEXT NOT NULL,
  PRIMARY KEY (stream, ordinal, field, loser)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS purged (stream TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta_missing (origin TEXT NOT NULL, stem TEXT NOT NULL, PRIMARY KEY (origin, stem)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta_late (origin TEXT NOT NULL, stem TEXT NOT NULL, PRIMARY KEY (origin, stem)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_cursors (
  target TEXT NOT NULL,
  origin TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (target, origin)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_keys (
  target TEXT NOT NULL,
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (target, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS origins (
  origin TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  published_at TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Tables compared by the rebuild-equals-incremental property, with the order that makes them comparable. */
export const COMPARABLE_TABLES: Readonly<Record<string, string>> = {
  streams: 'SELECT * FROM streams ORDER BY gid',
  entries: 'SELECT * FROM entries ORDER BY gid, ordinal',
  entries_fts: 'SELECT gid, ordinal, text FROM entries_fts ORDER BY gid, ordinal',
  origins: 'SELECT * FROM origins ORDER BY origin',
  meta_events: 'SELECT * FROM meta_events ORDER BY hash',
  registers: 'SELECT * FROM registers ORDER BY stream, ordinal, field',
  conflicts: 'SELECT * FROM conflicts ORDER BY stream, ordinal, field, loser',
  purged: 'SELECT * FROM purged ORDER BY stream',
  meta_missing: 'SELECT * FROM meta_missing ORDER BY origin, stem',
};

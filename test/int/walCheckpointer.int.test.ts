import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer } from '../../src/infrastructure/sqlite/WalCheckpointer';
import { SqliteReadModel } from '../../src/infrastructure/sqlite/SqliteReadModel';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

/** A WAL database that never checkpoints by itself, with `rows` rows of ~1 KB written in one transaction. */
function walDatabase(rows: number): { file: string; db: Database.Database } {
  const file = path.join(tempDir(), 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`${i} ${'x'.repeat(1000)}`);
  })();
  return { file, db };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('WalCheckpointer', () => {
  it('copies a large WAL back into the database on its own thread', async () => {
    const { file, db } = walDatabase(8000); // ~8 MB of WAL
    const before = fs.statSync(file).size;
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(4 * 1024 * 1024);
    const checkpointer = new WalCheckpointer(file);
    checkpointer.committed();
    expect(checkpointer.running).toBe(true);
    // With SQLite's own checkpoint off, only the worker can move the rows into the database file.
    await until(() => fs.statSync(file).size > before + 7 * 1024 * 1024);
    checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(8000);
    db.close();
  });

  it('starts no thread for a small WAL', () => {
    const { file, db } = walDatabase(10);
    const checkpointer = new WalCheckpointer(file);
    checkpointer.committed();
    expect(checkpointer.running).toBe(false);
    db.close();
  });

  it('a worker that cannot open the database turns itself off; the writer is unaffected', async () => {
    const { file, db } = walDatabase(8000);
    const checkpointer = new WalCheckpointer(path.join(path.dirname(file), 'missing.sqlite'), { startBytes: 0 });
    fs.writeFileSync(path.join(path.dirname(file), 'missing.sqlite-wal'), Buffer.alloc(16)); // a WAL, no database
    checkpointer.committed();
    await until(() => !checkpointer.running);
    checkpointer.committed(); // stays off
    expect(checkpointer.running).toBe(false);
    db.prepare('INSERT INTO t (v) VALUES (?)').run('after');
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(8001);
    db.close();
  });

  it('a worker whose checkpoint fails (not busy: an error, such as a full disk) turns itself off instead of retrying forever', async () => {
    const file = path.join(tempDir(), 'db.sqlite');
    fs.writeFileSync(file, Buffer.alloc(8192, 7)); // opens, but every checkpoint fails: not a database
    fs.writeFileSync(`${file}-wal`, Buffer.alloc(16));
    const checkpointer = new WalCheckpointer(file, { startBytes: 0 });
    checkpointer.committed();
    await until(() => !checkpointer.running);
    expect(checkpointer.attempts).toBe(1);
    checkpointer.committed(); // stays off
    expect(checkpointer.running).toBe(false);
  });

  it('while a reader holds the WAL back, the worker retries less and less often instead of every 2 ms', async () => {
    const { file, db } = walDatabase(10);
    const reader = new Database(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT COUNT(*) AS n FROM t').get(); // a snapshot: the frames committed after it stay in the WAL
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 1000; i++) insert.run(`${i} ${'x'.repeat(1000)}`);
    })();
    const checkpointer = new WalCheckpointer(file, { startBytes: 0 });
    try {
      checkpointer.committed();
      await until(() => checkpointer.attempts >= 1); // copied what the reader allows
      const from = Date.now();
      await until(() => checkpointer.attempts >= 9);
      // Each retry that copies nothing waits twice as long as the one before: 4 + 8 + … + 256 ms, and 2 ms
      // after the first (which made progress). Every 2 ms, the eight retries would have taken about 16 ms.
      expect(Date.now() - from).toBeGreaterThanOrEqual(480);
      // The reader gone, a later retry copies the rest back.
      reader.exec('COMMIT');
      const size = fs.statSync(file).size;
      await until(() => fs.statSync(file).size >= size + 1000 * 1000);
    } finally {
      await checkpointer.stop();
      reader.close();
      db.close();
    }
  });

  it('stop() returns with the worker\'s connection closed: a database recreated at the same path keeps its WAL', async () => {
    const { file, db } = walDatabase(10);
    const checkpointer = new WalCheckpointer(file, { startBytes: 0 });
    checkpointer.committed();
    await until(() => checkpointer.attempts >= 1); // the worker has its connection, and is idle
    // ~64 MB the worker is not told about (the backstop's worth), then this connection closes first: the
    // worker's connection is the last one, and SQLite checkpoints and deletes the WAL when that one closes.
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 64_000; i++) insert.run(`${i} ${'x'.repeat(1000)}`);
    })();
    db.close();
    const before = fs.statSync(file).size;
    const exited = checkpointer.stop();
    // What `reset` does next: the old database goes, a new one is created at the same path and committed to.
    while (fs.statSync(file).size === before) await new Promise((r) => setImmediate(r));
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    const fresh = new Database(file);
    fresh.pragma('journal_mode = WAL');
    fresh.exec('CREATE TABLE u (v TEXT NOT NULL)');
    fresh.prepare('INSERT INTO u (v) VALUES (?)').run('committed');
    await exited;
    // The old worker deleted nothing of the new database: its WAL is there, and another connection reads the row.
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    const other = new Database(file);
    try {
      expect(other.prepare('SELECT v FROM u').all()).toEqual([{ v: 'committed' }]);
    } finally {
      other.close();
      fresh.close();
    }
  });

  it('the read model keeps answering while the worker checkpoints, and a rebuild replaces the database under it', async () => {
    const home = tempHome('desk', 1);
    const cairn = await openCairn({ home, clock: steppingClock() });
    try {
      const body = (i: number) => ({ text: `granite ${i} ${'lorem ipsum '.repeat(60)}` });
      for (let k = 0; k < 8; k++) await cairn.append('notes', Array.from({ length: 1000 }, (_, i) => body(k * 1000 + i)));
      expect(cairn.search('granite', { limit: 5 })).toHaveLength(5);
      const rebuilt = await cairn.rebuild();
      expect(rebuilt.entries).toBe(8000);
      expect(cairn.streams({}).find((s) => s.stream === 'notes')?.entries).toBe(8000);
    } finally {
      cairn.close();
    }
    // Closed: the database opens cleanly and holds everything.
    const model = new SqliteReadModel(path.join(home, 'cairn.db'));
    try {
      expect(model.listStreams({}).find((s) => s.stream === 'notes')?.entries).toBe(8000);
    } finally {
      model.close();
    }
  });
});

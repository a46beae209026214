import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openCairn } from '../../src';
import { NeedsExclusiveOpen, SqliteReadModel } from '../../src/infrastructure/sqlite/SqliteReadModel';
import { cairn } from '../helpers/cli';
import { removeTempDirs, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const CHILD = path.join(__dirname, '..', 'helpers', 'openChild.js');

function opener(home: string, barrier: string, who: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, home, barrier, who, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`opener ${who} exited ${code}: ${stderr}`))));
  });
}

describe('opening one home from several processes at once', () => {
  // Regression: each process removed "a WAL left by a deleted database" when it found no database, which
  // could be the WAL another process had just created (SQLITE_IOERR). The read model is now created under
  // the store's lock.
  it('six processes opening a new home at the same moment all succeed (four rounds)', async () => {
    for (let round = 0; round < 4; round++) {
      const home = path.join(tempDir(), 'desk');
      expect(cairn(['init', '--name', 'desk'], { home }).code).toBe(0);
      const barrier = path.join(home, 'barrier');
      fs.mkdirSync(barrier);
      await Promise.all(Array.from({ length: 6 }, (_, i) => opener(home, barrier, `w${i}`, 6)));
      const c = await openCairn({ home });
      expect(c.show('opened').entries).toHaveLength(6);
      c.close();
    }
  });

  it('a read model that must be created or replaced is opened only under the lock', async () => {
    const home = tempHome();
    const file = path.join(home, 'cairn.db');
    expect(() => new SqliteReadModel(file, undefined, { exclusive: false })).toThrow(NeedsExclusiveOpen);
    const old = new Database(file);
    old.exec('CREATE TABLE t (x); PRAGMA user_version = 1');
    old.close();
    expect(() => new SqliteReadModel(file, undefined, { exclusive: false })).toThrow(/schema version 1/);
    const c = await openCairn({ home });
    await c.append('s', [{ ok: true }]);
    expect(c.show('s').entries).toHaveLength(1);
    c.close();
  });
});

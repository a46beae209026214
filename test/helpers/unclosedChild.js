// Child process for the exit test: starts the read model's WAL checkpointer (directly, or through a cairn
// that appends enough to start it) and returns without closing anything. The process must still exit.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function checkpointer(dir) {
  const Database = require('better-sqlite3');
  const { WalCheckpointer } = require('../../dist/infrastructure/sqlite/WalCheckpointer');
  const file = path.join(dir, 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT NOT NULL)');
  db.prepare('INSERT INTO t (v) VALUES (?)').run('x');
  const checkpointer = new WalCheckpointer(file, { startBytes: 0 });
  checkpointer.committed();
  while (checkpointer.attempts < 1) await new Promise((r) => setTimeout(r, 10));
  process.stdout.write(`running ${checkpointer.running}\n`);
}

async function cairn(dir) {
  const { initHome, openCairn, systemClock, systemRandom } = require('../../dist');
  const home = path.join(dir, 'home');
  initHome(home, { name: 'desk' }, systemClock, systemRandom);
  const c = await openCairn({ home });
  const body = (i) => ({ text: `granite ${i} ${'lorem ipsum '.repeat(60)}` });
  for (let k = 0; k < 8; k++) await c.append('notes', Array.from({ length: 1000 }, (_, i) => body(k * 1000 + i)));
  process.stdout.write(`wal ${fs.statSync(path.join(home, 'cairn.db-wal')).size}\n`);
}

if (require.main === module) {
  const run = process.argv[2] === 'cairn' ? cairn : checkpointer;
  run(process.argv[3]).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}

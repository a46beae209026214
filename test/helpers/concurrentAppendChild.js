// Child process for the two-writers test: opens a home (from dist/, like the real binary), waits at a barrier
// until every writer is ready, then appends `count` single entries {who, i} to one shared stream, exporting
// every fifth time and pausing between appends (waiting is not fair: a writer that never pauses keeps the lock)
// so that the writers interleave. With `batch`, each also appends to a stream of its own and exports in
// batches of that many entries (several checkpoints per export).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function run(home, who, count, writers, batch) {
  const { openCairn } = require('../../dist');
  const lockOptions = { dir: path.join(home, 'lock'), retryMs: 10 };
  const cairn = await openCairn({ home, lockTimeoutMs: 120_000, lockOptions, ...(batch ? { exportBatchEntries: batch } : {}) });
  const barrier = path.join(home, 'barrier');
  fs.mkdirSync(barrier, { recursive: true });
  fs.writeFileSync(path.join(barrier, who), '');
  while (fs.readdirSync(barrier).length < writers) await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < count; i++) {
    await cairn.append('shared', [{ who, i }]);
    if (batch) await cairn.append(`mine-${who}`, [{ who, i }]);
    if (i % 5 === 4) await cairn.export();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the lock is free most of the time: turns are taken
  }
  cairn.close();
}

if (require.main === module) {
  const [home, who, count, writers, batch] = process.argv.slice(2);
  run(home, who, Number(count), Number(writers), batch ? Number(batch) : undefined).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}

// Child process for the concurrent-open test: waits at a barrier until every child is ready, then opens the
// same (fresh) home at once (from dist/, like the real binary) and appends one entry.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function run(home, barrier, who, count) {
  const { openCairn } = require('../../dist');
  fs.writeFileSync(path.join(barrier, who), '');
  while (fs.readdirSync(barrier).length < count) await new Promise((resolve) => setImmediate(resolve));
  const cairn = await openCairn({ home, lockTimeoutMs: 60_000 });
  await cairn.append('opened', [{ who }]);
  cairn.close();
}

if (require.main === module) {
  const [home, barrier, who, count] = process.argv.slice(2);
  run(home, barrier, who, Number(count)).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}

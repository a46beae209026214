// Child process for the crash test: appends deterministic batches and prints "ack <lastOrdinal>" after each
// append has returned (and so is durable). The parent kills it with SIGKILL at a random moment.
'use strict';

function body(ordinal) {
  return { n: ordinal, text: `entry ${ordinal} `.padEnd(480, 'lorem ipsum dolor sit amet ') };
}

async function run(home, batchSize, batches) {
  const { openCairn } = require('../../dist');
  const cairn = await openCairn({ home });
  let next = cairn.streams().find((s) => s.stream === 'crash')?.entries ?? 0;
  for (let b = 0; b < batches; b++) {
    const bodies = Array.from({ length: batchSize }, (_, i) => body(next + i));
    const r = await cairn.append('crash', bodies);
    next = r.lastOrdinal + 1;
    process.stdout.write(`ack ${r.lastOrdinal}\n`);
    if (b % 4 === 3) {
      await cairn.export();
      process.stdout.write('exported\n');
    }
  }
  cairn.close();
}

if (require.main === module) {
  run(process.argv[2], Number(process.argv[3]), Number(process.argv[4])).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
module.exports = { body };

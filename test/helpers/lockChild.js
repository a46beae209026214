// Child process for the lock contention test: `cycles` lock-protected read-increment-write cycles on a shared
// counter file, using the file lock from dist/ (like the real binary). Between the read and the write it
// yields to the event loop, so two holders at once would lose an increment. It writes one line per cycle to
// its own log: "<start ns> <end ns> <token> <value written>", start taken after acquire returned and end
// before release (process.hrtime is CLOCK_MONOTONIC: comparable across processes on one host).
'use strict';
const fs = require('node:fs');
const os = require('node:os');

async function run(dir, counter, log, cycles, ttlMs) {
  const { FileLeaseStore, LeaseLock, systemLockClock, systemRandom } = require('../../dist');
  const lock = new LeaseLock(new FileLeaseStore(dir), {
    clock: systemLockClock,
    random: systemRandom,
    host: os.hostname(),
    pid: process.pid,
    ttlMs,
    retryMs: 20,
  });
  const lines = [];
  for (let i = 0; i < cycles; i++) {
    const handle = await lock.acquire({ timeoutMs: 120_000 });
    const start = process.hrtime.bigint();
    const value = Number(fs.readFileSync(counter, 'utf8')) + 1;
    await new Promise((resolve) => setImmediate(resolve));
    handle.throwIfLost();
    fs.writeFileSync(counter, String(value));
    const end = process.hrtime.bigint();
    lines.push(`${start} ${end} ${handle.token} ${value}`);
    await handle.release();
  }
  fs.writeFileSync(log, `${lines.join('\n')}\n`);
}

if (require.main === module) {
  const [dir, counter, log, cycles, ttlMs] = process.argv.slice(2);
  run(dir, counter, log, Number(cycles), Number(ttlMs)).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
module.exports = { run };

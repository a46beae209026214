// Child process for the S3 lock contention test: `cycles` lock-protected read-increment-write cycles on a
// shared counter *object* in S3, using the S3 lock from dist/ (like the real binary) against the server of
// $CAIRN_S3_ENDPOINT. The read and the write are S3 requests, so two holders at once would lose an increment.
// It writes one line per cycle to its own log: "<start ns> <end ns> <token> <value written>", start taken
// after acquire returned and end after the write was acknowledged, before release (process.hrtime is
// CLOCK_MONOTONIC: comparable across processes on one host).
'use strict';
const fs = require('node:fs');
const os = require('node:os');

async function run(lockUrl, counterUrl, log, cycles, ttlMs, retryMs) {
  const { LeaseLock, S3LeaseStore, systemLockClock, systemRandom } = require('../../dist');
  const { createS3Client, parseS3Url, resolveS3Settings } = require('../../dist/plugins/s3-transport');
  const { GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
  const settings = resolveS3Settings({}, process.env);
  const lockClient = createS3Client(settings);
  const lock = new LeaseLock(new S3LeaseStore(lockClient, parseS3Url(lockUrl), settings.endpoint), {
    clock: systemLockClock,
    random: systemRandom,
    host: os.hostname(),
    pid: process.pid,
    ttlMs,
    retryMs,
  });
  const client = createS3Client(settings);
  const counter = parseS3Url(counterUrl);
  const Key = counter.root.slice(0, -1);
  const lines = [];
  for (let i = 0; i < cycles; i++) {
    const handle = await lock.acquire({ timeoutMs: 300_000 });
    const start = process.hrtime.bigint();
    const got = await client.send(new GetObjectCommand({ Bucket: counter.bucket, Key }));
    const value = Number(await got.Body.transformToString()) + 1;
    await handle.confirm();
    await client.send(new PutObjectCommand({ Bucket: counter.bucket, Key, Body: String(value) }));
    const end = process.hrtime.bigint();
    lines.push(`${start} ${end} ${handle.token} ${value}`);
    await handle.release();
  }
  client.destroy();
  lockClient.destroy();
  fs.writeFileSync(log, `${lines.join('\n')}\n`);
}

if (require.main === module) {
  const [lockUrl, counterUrl, log, cycles, ttlMs, retryMs] = process.argv.slice(2);
  run(lockUrl, counterUrl, log, Number(cycles), Number(ttlMs), Number(retryMs ?? 20)).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
module.exports = { run };

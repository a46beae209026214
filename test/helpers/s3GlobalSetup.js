// Jest globalSetup: give the S3 tests a real S3 server. With CAIRN_S3_ENDPOINT set, that one is used.
// Otherwise, when radosgw is installed and the selected tests include S3 ones, start a throwaway single-node
// Ceph (scripts/s3-server.sh) in a fresh state dir and export its env to the test workers; the teardown
// stops it. Without either, the S3 tests say so (and fail under CI=true): see test/helpers/s3Env.ts.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
// The AWS SDK's Node 20 end-of-support notice would repeat in every test output (as bin/cairn.js does).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const SCRIPT = path.join(ROOT, 'scripts', 's3-server.sh');

function installed() {
  return spawnSync('sh', ['-c', 'command -v radosgw && command -v ceph-mon && command -v ceph-osd'], { stdio: 'ignore' }).status === 0;
}

/** Whether the run selects a test file that needs S3 (uses describeS3): `npx jest test/unit` need not wait. */
function selectsS3(globalConfig) {
  const pattern = globalConfig.testPathPattern;
  if (!pattern) return true;
  const re = new RegExp(pattern, 'i');
  return fs
    .readdirSync(path.join(ROOT, 'test'), { recursive: true })
    .map((f) => path.join(ROOT, 'test', String(f)))
    .filter((f) => f.endsWith('.test.ts') && re.test(f))
    .some((f) => fs.readFileSync(f, 'utf8').includes('describeS3('));
}

function stop(state) {
  spawnSync('bash', [SCRIPT, 'stop'], { env: { ...process.env, CAIRN_S3_STATE: state }, stdio: 'inherit' });
}

module.exports = async function s3GlobalSetup(globalConfig) {
  if (process.env.CAIRN_S3_ENDPOINT) return;
  if (!installed() || !selectsS3(globalConfig)) return;
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-s3-'));
  const t0 = process.hrtime.bigint();
  const run = spawnSync('bash', [SCRIPT, 'start'], { env: { ...process.env, CAIRN_S3_STATE: state }, encoding: 'utf8', timeout: 180_000 });
  if (run.status !== 0) {
    stop(state);
    throw new Error(`scripts/s3-server.sh start failed (exit ${run.status}):\n${run.stderr}`);
  }
  for (const line of run.stdout.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]] = m[2];
  }
  process.env.CAIRN_S3_STARTED_STATE = state;
  // If jest dies before its teardown, still stop the daemons this run started.
  process.once('exit', () => {
    if (process.env.CAIRN_S3_STARTED_STATE === state) stop(state);
  });
  const seconds = (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
  console.log(`\nS3 tests: started radosgw at ${process.env.CAIRN_S3_ENDPOINT} in ${seconds} s (state ${state})`);
};

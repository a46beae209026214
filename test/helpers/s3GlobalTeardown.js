// Jest globalTeardown: stop the radosgw cluster that s3GlobalSetup.js started (by the pids it recorded).
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function s3GlobalTeardown() {
  const state = process.env.CAIRN_S3_STARTED_STATE;
  if (!state) return;
  delete process.env.CAIRN_S3_STARTED_STATE;
  spawnSync('bash', [path.join(__dirname, '..', '..', 'scripts', 's3-server.sh'), 'stop'], {
    env: { ...process.env, CAIRN_S3_STATE: state },
    stdio: 'inherit',
  });
};

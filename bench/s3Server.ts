/**
 * An S3 server for the S3 benchmarks: $CAIRN_S3_ENDPOINT (with AWS_* credentials) when set, else a throwaway
 * radosgw started with scripts/s3-server.sh when it is installed, else none (the S3 figures are then simply
 * not produced).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 's3-server.sh');

export const NO_S3_SERVER = 'no CAIRN_S3_ENDPOINT and radosgw is not installed (apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd)';

/** Start radosgw when no endpoint is configured (exporting its env); returns the state dir to stop, null, or 'none'. */
export function ensureS3Server(): string | null | 'none' {
  if (process.env.CAIRN_S3_ENDPOINT) return null;
  if (spawnSync('sh', ['-c', 'command -v radosgw'], { stdio: 'ignore' }).status !== 0) return 'none';
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-s3-bench-'));
  const run = spawnSync('bash', [SCRIPT, 'start'], { env: { ...process.env, CAIRN_S3_STATE: state }, encoding: 'utf8' });
  if (run.status !== 0) {
    stopS3Server(state);
    throw new Error(`s3-server.sh start failed: ${run.stderr}`);
  }
  for (const m of run.stdout.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) process.env[m[1]!] = m[2]!;
  return state;
}

export function stopS3Server(state: string): void {
  spawnSync('bash', [SCRIPT, 'stop'], { env: { ...process.env, CAIRN_S3_STATE: state }, stdio: 'inherit' });
}

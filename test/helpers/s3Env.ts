import { randomUUID } from 'node:crypto';
import { describe, it } from '@jest/globals';
import type { Transport } from '../../src/application/ports';
import { s3TransportFactory } from '../../src/plugins/s3-transport';

export const RADOSGW_INSTALL = 'apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd';

/** The bucket the S3 tests use (created on first use). */
export const S3_BUCKET = process.env.CAIRN_S3_BUCKET ?? 'cairn-test';

/** Whether a real S3 server is configured (by the environment, or started by test/helpers/s3GlobalSetup.js). */
export function s3Available(): boolean {
  return Boolean(process.env.CAIRN_S3_ENDPOINT);
}

/**
 * `describe` for tests that need a real S3 server. Without one they say so loudly; under CI=true they
 * fail (a CI run that silently skipped the S3 tests would prove nothing); elsewhere they are reported as
 * skipped.
 */
export function describeS3(name: string, body: () => void): void {
  if (s3Available()) {
    describe(name, body);
    return;
  }
  const why =
    `S3 tests "${name}" cannot run: CAIRN_S3_ENDPOINT is not set and radosgw is not installed. ` +
    `Install it (${RADOSGW_INSTALL}) and the test setup starts a throwaway server, or point CAIRN_S3_ENDPOINT and AWS_* at an S3-compatible store.`;
  console.warn(`\n!!!!!!!!\n${why}\n!!!!!!!!\n`);
  if (process.env.CI === 'true' || process.env.CI === '1') {
    describe(name, () => {
      it('runs against a real S3 server (required when CI=true)', () => {
        throw new Error(why);
      });
    });
  } else {
    describe.skip(name, body);
  }
}

let n = 0;

/** A fresh, unused prefix in the test bucket: `s3://<bucket>/<label>-<random>-<n>`. */
export function freshS3Url(label = 't'): string {
  return `s3://${S3_BUCKET}/${label}-${randomUUID().slice(0, 8)}-${n++}`;
}

const opened: Transport[] = [];

/** Open an S3 target (creating the bucket when asked); closed by closeS3Transports. */
export async function openS3(url = freshS3Url(), create = true): Promise<Transport> {
  const t = await s3TransportFactory().create(url, { create });
  opened.push(t);
  return t;
}

export async function closeS3Transports(): Promise<void> {
  while (opened.length > 0) await opened.pop()!.close();
}

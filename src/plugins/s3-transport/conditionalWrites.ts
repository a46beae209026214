import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CairnError, isCairnError } from '../../domain';
import { httpStatus, isConditionFailed, s3Failure } from './s3Errors';

/** Verdicts per endpoint and bucket, for the life of the process: probing costs three requests. */
const verdicts = new Map<string, Promise<void>>();

/** The folder (a dot name: never listed as an origin) where probe keys are written and deleted again. */
export const PROBE_FOLDER = '.cairn-probe';

/**
 * Make sure the store honours `If-None-Match: *` before relying on it (write-once publishing, locks):
 * write a fresh key twice with the condition; the second write must be refused. A store that accepts it
 * is refused with S3_CONDITIONAL_WRITES_UNSUPPORTED — never assumed. The result is cached per
 * `endpoint` + `bucket`; a probe that failed for another reason (network, permissions) is retried next time.
 */
export function ensureConditionalWrites(client: S3Client, endpoint: string, bucket: string, root: string): Promise<void> {
  const cacheKey = `${endpoint}\n${bucket}`;
  let verdict = verdicts.get(cacheKey);
  if (!verdict) {
    verdict = probe(client, endpoint, bucket, `${root}${PROBE_FOLDER}/${randomUUID()}`);
    verdicts.set(cacheKey, verdict);
    verdict.catch((err: unknown) => {
      if (!isCairnError(err, 'S3_CONDITIONAL_WRITES_UNSUPPORTED')) verdicts.delete(cacheKey);
    });
  }
  return verdict;
}

async function probe(client: S3Client, endpoint: string, bucket: string, key: string): Promise<void> {
  const where = `s3://${bucket}/${key} at ${endpoint}`;
  const put = (body: string): Promise<unknown> =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body), IfNoneMatch: '*' }));
  try {
    try {
      await put('cairn conditional-write probe 1\n');
    } catch (err) {
      if (isConditionFailed(err) || rejectsHeader(err)) throw unsupported(endpoint, bucket, `a first write with If-None-Match: * to a fresh key failed (${describe(err)})`);
      throw s3Failure('put (conditional-write probe)', where, err);
    }
    try {
      await put('cairn conditional-write probe 2\n');
    } catch (err) {
      if (isConditionFailed(err)) return; // refused: the store honours the condition
      if (rejectsHeader(err)) throw unsupported(endpoint, bucket, `a write with If-None-Match: * failed (${describe(err)})`);
      throw s3Failure('put (conditional-write probe)', where, err);
    }
    throw unsupported(endpoint, bucket, 'a second write with If-None-Match: * to the same key succeeded and replaced the first');
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  }
}

/** 400 / 501: the store does not understand the header at all. */
function rejectsHeader(err: unknown): boolean {
  const status = httpStatus(err);
  return status === 400 || status === 501;
}

function describe(err: unknown): string {
  const e = err as { name?: string } | null;
  return `${e?.name ?? 'error'}, HTTP ${httpStatus(err) ?? '?'}`;
}

function unsupported(endpoint: string, bucket: string, what: string): CairnError {
  return new CairnError(
    'S3_CONDITIONAL_WRITES_UNSUPPORTED',
    `the S3 store at ${endpoint} (bucket ${bucket}) does not honour conditional writes: ${what}. cairn relies on them for ` +
      'write-once publishing and locks and will not write there; use a store that supports If-None-Match on PUT (AWS S3, Ceph radosgw, MinIO)',
  );
}

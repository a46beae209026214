import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CairnError, isCairnError } from '../../domain';
import { httpStatus, isConditionFailed, s3Failure } from './s3Errors';

/** Verdicts per endpoint, bucket and kind of probe, for the life of the process: probing costs three requests (five with If-Match). */
const verdicts = new Map<string, Promise<void>>();

/** The folder (a dot name: never listed as an origin) where probe keys are written and deleted again. */
export const PROBE_FOLDER = '.cairn-probe';

/**
 * Make sure the store honours `If-None-Match: *` before relying on it (write-once publishing, locks):
 * write a fresh key twice with the condition; the second write must be refused. With `ifMatch` (the S3
 * lock), also `If-Match` on PUT: a write with a wrong ETag must be refused and one with the right ETag
 * accepted. A store that fails either is refused with S3_CONDITIONAL_WRITES_UNSUPPORTED — never assumed.
 * The result is cached per `endpoint` + `bucket` (+ kind of probe); a probe that failed for another reason
 * (network, permissions) is retried next time.
 */
export function ensureConditionalWrites(client: S3Client, endpoint: string, bucket: string, root: string, options: { ifMatch?: boolean } = {}): Promise<void> {
  const ifMatch = options.ifMatch ?? false;
  const cacheKey = `${endpoint}\n${bucket}\n${ifMatch ? 'if-match' : 'if-none-match'}`;
  let verdict = verdicts.get(cacheKey);
  if (!verdict) {
    verdict = probe(client, endpoint, bucket, `${root}${PROBE_FOLDER}/${randomUUID()}`, ifMatch);
    verdicts.set(cacheKey, verdict);
    verdict.catch((err: unknown) => {
      if (!isCairnError(err, 'S3_CONDITIONAL_WRITES_UNSUPPORTED')) verdicts.delete(cacheKey);
    });
  }
  return verdict;
}

async function probe(client: S3Client, endpoint: string, bucket: string, key: string, ifMatch: boolean): Promise<void> {
  const where = `s3://${bucket}/${key} at ${endpoint}`;
  const put = (body: string, condition: { IfNoneMatch: string } | { IfMatch: string }): Promise<{ ETag?: string }> =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body), ...condition }));
  const failed = (err: unknown): never => {
    throw s3Failure('put (conditional-write probe)', where, err);
  };
  try {
    let etag: string | undefined;
    try {
      etag = (await put('cairn conditional-write probe 1\n', { IfNoneMatch: '*' })).ETag;
    } catch (err) {
      if (isConditionFailed(err) || rejectsHeader(err)) throw unsupported(endpoint, bucket, `a first write with If-None-Match: * to a fresh key failed (${describe(err)})`);
      failed(err);
    }
    const refused = await put('cairn conditional-write probe 2\n', { IfNoneMatch: '*' }).then(
      () => false,
      (err: unknown) => {
        if (isConditionFailed(err)) return true;
        if (rejectsHeader(err)) throw unsupported(endpoint, bucket, `a write with If-None-Match: * failed (${describe(err)})`);
        return failed(err);
      },
    );
    if (!refused) throw unsupported(endpoint, bucket, 'a second write with If-None-Match: * to the same key succeeded and replaced the first');
    if (ifMatch) await probeIfMatch(endpoint, bucket, etag, put, failed);
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  }
}

/** A write with a wrong ETag in `If-Match` must be refused, one with the ETag of the object accepted. */
async function probeIfMatch(
  endpoint: string,
  bucket: string,
  etag: string | undefined,
  put: (body: string, condition: { IfMatch: string }) => Promise<unknown>,
  failed: (err: unknown) => never,
): Promise<void> {
  if (!etag) throw unsupported(endpoint, bucket, 'a write returned no ETag, which If-Match needs');
  const wrong = etag.replace(/[0-9a-f]/gi, (c) => (c === '0' ? '1' : '0'));
  try {
    await put('cairn conditional-write probe 3\n', { IfMatch: wrong });
  } catch (err) {
    if (rejectsHeader(err)) throw unsupported(endpoint, bucket, `a write with If-Match failed (${describe(err)})`);
    if (!isConditionFailed(err)) failed(err);
    try {
      await put('cairn conditional-write probe 4\n', { IfMatch: etag });
      return;
    } catch (err2) {
      if (isConditionFailed(err2) || rejectsHeader(err2)) {
        throw unsupported(endpoint, bucket, `a write with If-Match: ${etag} (the object's own ETag) was refused (${describe(err2)})`);
      }
      failed(err2);
    }
  }
  throw unsupported(endpoint, bucket, 'a write with If-Match naming another ETag succeeded and replaced the object');
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
      'write-once publishing and locks and will not write there; use a store that supports If-None-Match and If-Match on PUT (AWS S3, Ceph radosgw, MinIO)',
  );
}

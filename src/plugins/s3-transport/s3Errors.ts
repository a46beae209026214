import { CairnError, isCairnError } from '../../domain';

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function httpStatus(err: unknown): number | undefined {
  return (err as SdkError | null)?.$metadata?.httpStatusCode;
}

function errorName(err: unknown): string {
  const e = err as SdkError | null;
  return e?.Code ?? e?.name ?? 'Error';
}

export function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  return httpStatus(err) === 404 && name !== 'NoSuchBucket';
}

/** 412 (the key exists) or 409 (a conditional write raced another one on the same key). */
export function isConditionFailed(err: unknown): boolean {
  const status = httpStatus(err);
  return status === 412 || status === 409;
}

/** One clear CairnError for a failed S3 call: what failed, where, and what to do. */
export function s3Failure(op: string, where: string, err: unknown): CairnError {
  if (isCairnError(err)) return err;
  const name = errorName(err);
  const status = httpStatus(err);
  const message = (err as SdkError | null)?.message;
  const parts = [name !== 'Unknown' && name !== 'Error' ? name : '', status ? `HTTP ${status}` : '', message && message !== 'UnknownError' && message !== name ? message : ''];
  const detail = parts.filter(Boolean).join(', ') || String(err);
  if (name === 'NoSuchBucket') {
    return new CairnError('INPUT_INVALID', `S3 bucket of ${where} does not exist: create it, or pass --init to create it`);
  }
  if (name === 'CredentialsProviderError') {
    return new CairnError('IO_FAILED', `no S3 credentials for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)`);
  }
  if (status === 403 || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied') {
    return new CairnError('IO_FAILED', `S3 refused ${op} on ${where}: ${detail}; check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket's permissions`);
  }
  return new CairnError('IO_FAILED', `S3 ${op} on ${where} failed: ${detail}`);
}

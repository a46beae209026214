import { CairnError } from '../../domain';

/** Where a target lives in S3: a bucket and a key prefix (`''` or ending in `/`). */
export interface S3Target {
  readonly url: string;
  readonly bucket: string;
  readonly root: string;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Parse `s3://bucket[/prefix]`; the URL is normalised (no trailing `/`). */
export function parseS3Url(url: string): S3Target {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
  if (!m) throw new CairnError('INPUT_INVALID', `${url} is not an S3 target: use s3://bucket/prefix (no query or fragment)`);
  const bucket = m[1]!;
  if (!BUCKET_RE.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw new CairnError('INPUT_INVALID', `${JSON.stringify(bucket)} in ${url} is not a valid bucket name: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit`);
  }
  const segments = (m[2] ?? '').split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
  for (const s of segments) {
    if (!SEGMENT_RE.test(s)) {
      throw new CairnError('INPUT_INVALID', `prefix segment ${JSON.stringify(s)} in ${url} is not allowed: use A-Z a-z 0-9 . _ -, not starting with "."`);
    }
  }
  const prefix = segments.join('/');
  return { url: `s3://${bucket}${prefix ? `/${prefix}` : ''}`, bucket, root: prefix ? `${prefix}/` : '' };
}

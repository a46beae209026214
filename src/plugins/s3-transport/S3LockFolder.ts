import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listLevel } from './listLevel';
import { isConditionFailed, isNotFound, s3Failure } from './s3Errors';
import { encodeS3Record, generationKey, generationOfKey, parseS3Record, type S3LockRecord } from './s3LockRecord';

/** A generation as read: its record (or 'unreadable': not a lock record) and the ETag to make writes conditional on. */
export interface Generation {
  readonly token: number;
  readonly record: S3LockRecord | 'unreadable';
  readonly etag: string;
}

/** Lock records are tiny; anything larger is not one and is not downloaded. */
const MAX_RECORD_BYTES = 64 * 1024;

/**
 * The generation keys of one S3 lock (`<root>.cairn-lock/<token, 12 digits>`) and the four operations the
 * lock protocol uses on them: list, read, exclusive create (`If-None-Match: *`) and conditional replace
 * (`If-Match`). A failed condition is an answer (null/false), anything else a clear CairnError.
 */
export class S3LockFolder {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** The full key prefix of the generations, ending in `/`. */
    readonly prefix: string,
    private readonly where: string,
  ) {}

  /** The generations present, ascending. */
  async tokens(): Promise<number[]> {
    const { keys } = await listLevel(this.client, this.bucket, this.prefix, this.where);
    return keys
      .map((k) => generationOfKey(this.prefix, k))
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b);
  }

  /** A generation's record and ETag, or null when the key does not exist (never created, or collected). */
  async read(token: number): Promise<Generation | null> {
    let out;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(token) }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3Failure('get', this.at(token), err);
    }
    const etag = out.ETag ?? '';
    if (!out.Body || (out.ContentLength ?? 0) > MAX_RECORD_BYTES) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { token, record: 'unreadable', etag };
    }
    const bytes = await out.Body.transformToByteArray();
    return { token, record: parseS3Record(bytes, token) ?? 'unreadable', etag };
  }

  /** Create a generation that does not exist yet: its ETag, or null when the key exists (or a create races it). */
  async create(token: number, record: S3LockRecord): Promise<string | null> {
    return this.put(token, record, { IfNoneMatch: '*' }, 'create');
  }

  /** Replace a generation only if it still has `etag`: the new ETag, or null when it changed or is gone. */
  async replace(token: number, record: S3LockRecord, etag: string): Promise<string | null> {
    return this.put(token, record, { IfMatch: etag }, 'replace');
  }

  /**
   * Delete a generation. Unconditional (radosgw ignores If-Match on DELETE): only ever used on a name that can
   * no longer be the lock — below the newest generation.
   */
  async remove(token: number): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(token) }));
    } catch (err) {
      if (!isNotFound(err)) throw s3Failure('delete', this.at(token), err);
    }
  }

  private async put(token: number, record: S3LockRecord, condition: { IfNoneMatch: string } | { IfMatch: string }, op: string): Promise<string | null> {
    const body = encodeS3Record(record);
    try {
      const out = await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(token), Body: body, ContentLength: body.length, ContentType: 'application/json', ...condition }),
      );
      return out.ETag ?? '';
    } catch (err) {
      // 412: the condition failed; 409: a concurrent conditional write of the key (AWS); 404: If-Match on a
      // key that is gone (AWS answers so, radosgw 412).
      if (isConditionFailed(err) || ('IfMatch' in condition && isNotFound(err))) return null;
      throw s3Failure(`${op} (lock)`, this.at(token), err);
    }
  }

  private key(token: number): string {
    return generationKey(this.prefix, token);
  }

  private at(token: number): string {
    return `${this.where}: generation ${token}`;
  }
}

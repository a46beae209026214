import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ListOptions, PutOutcome, Transport } from '../../application/ports';
import { CairnError, LIMITS } from '../../domain';
import { ensureConditionalWrites } from './conditionalWrites';
import { listLevel } from './listLevel';
import { isConditionFailed, isNotFound, s3Failure } from './s3Errors';
import type { S3Target } from './s3Target';

/** No artifact is larger than a blob; anything bigger is not read. */
const MAX_OBJECT_BYTES = LIMITS.maxBlobBytes + 1024 * 1024;
/** A 409 means another conditional write of the key is in flight: wait for it to land, briefly. */
const CONFLICT_RETRIES = 8;

/**
 * An S3 prefix as a sync target: keys `<root><origin>/<dir>/<name>`. Publishing is `PutObject` with
 * `If-None-Match: *` (checked to be honoured on first write), so a name is written once and never
 * replaced; on 412/409 the existing object is read and compared byte for byte (the core compares canonical
 * identity when bytes differ). Reads are plain GET/HEAD; listing is one level, paged, and checked.
 */
export class S3Transport implements Transport {
  readonly url: string;

  constructor(
    private readonly client: S3Client,
    private readonly target: S3Target,
    /** The endpoint (or `aws:<region>`), for messages and the probe cache. */
    private readonly endpoint: string,
    /** No object larger than any artifact can be is read (tests lower it). */
    private readonly maxObjectBytes: number = MAX_OBJECT_BYTES,
  ) {
    this.url = target.url;
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutOutcome> {
    const full = this.full(key);
    await ensureConditionalWrites(this.client, this.endpoint, this.target.bucket, this.target.root);
    const md5 = createHash('md5').update(bytes).digest('base64');
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.target.bucket, Key: full, Body: bytes, ContentLength: bytes.length, ContentMD5: md5, IfNoneMatch: '*' }),
        );
        return 'created';
      } catch (err) {
        if (!isConditionFailed(err)) throw s3Failure('put', this.where(key), err);
      }
      // The key exists: ours from an earlier attempt whose response was lost, a concurrent writer's, or other bytes.
      const existing = await this.get(key);
      if (existing) return Buffer.compare(Buffer.from(existing), Buffer.from(bytes)) === 0 ? 'identical' : 'conflict';
      if (attempt >= CONFLICT_RETRIES) {
        throw new CairnError('IO_FAILED', `${this.where(key)} is reported to exist but cannot be read; retry the sync`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    const full = this.full(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: full }));
      if (!out.Body) return new Uint8Array(0);
      const tooLarge = (what: string): CairnError =>
        new CairnError('DECOMPRESSED_TOO_LARGE', `${this.where(key)} is ${what}, larger than any artifact can be; it is not read`);
      if ((out.ContentLength ?? 0) > this.maxObjectBytes) {
        (out.Body as { destroy?: () => void }).destroy?.();
        throw tooLarge(`${out.ContentLength} bytes`);
      }
      // The length may be absent (chunked): count while reading, and stop at the cap.
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > this.maxObjectBytes) {
          (out.Body as { destroy?: () => void }).destroy?.();
          throw tooLarge(`over ${this.maxObjectBytes} bytes (sent without a length)`);
        }
        chunks.push(chunk);
      }
      return chunks.length === 1 ? new Uint8Array(chunks[0]!) : new Uint8Array(Buffer.concat(chunks, total));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3Failure('get', this.where(key), err);
    }
  }

  async has(key: string): Promise<boolean> {
    const full = this.full(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.target.bucket, Key: full }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw s3Failure('head', this.where(key), err);
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    if (!prefix.endsWith('/')) throw new CairnError('INTERNAL', `list prefix must end with "/": ${prefix}`);
    checkKey(prefix.slice(0, -1));
    if (options.limit !== undefined && options.limit <= 0) return [];
    const root = this.target.root;
    const full = root + prefix;
    const { keys } = await listLevel(this.client, this.target.bucket, full, this.where(prefix), {
      ...(options.after !== undefined ? { startAfter: root + options.after } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      keep: (k) => !k.slice(full.length).startsWith('.'),
    });
    return keys.map((k) => k.slice(root.length));
  }

  async origins(): Promise<string[]> {
    const root = this.target.root;
    const { prefixes } = await listLevel(this.client, this.target.bucket, root, this.url);
    return prefixes.map((p) => p.slice(root.length, -1)).filter((name) => name !== '' && !name.startsWith('.'));
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.has(key))) return false;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: this.full(key) }));
      return true;
    } catch (err) {
      throw s3Failure('delete', this.where(key), err);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private full(key: string): string {
    checkKey(key);
    return this.target.root + key;
  }

  private where(key: string): string {
    return `${this.url}/${key} (${this.endpoint})`;
  }
}

/** Keys are `a/b/c` of safe segments: nothing empty, relative, hidden or with a backslash or NUL. */
function checkKey(key: string): void {
  for (const part of key.split('/')) {
    if (part === '' || part === '.' || part === '..' || /[\\\0]/.test(part) || part.startsWith('.')) {
      throw new CairnError('ARTIFACT_NAME_INVALID', `artifact key ${JSON.stringify(key)} is not a safe relative path`);
    }
  }
}

import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny S3-speaking HTTP server on loopback (path-style, no auth checks) for behaviours a real store
 * will not show on demand: ignoring `If-None-Match` or `If-Match`, losing a response after storing, paging
 * wrongly.
 * It is a real server the real SDK talks to over TCP, not a mock of the client.
 */
export interface ListPage {
  readonly keys: string[];
  readonly prefixes?: string[];
  readonly next?: string;
}

export interface FakeS3Options {
  /** Answer 412 to `If-None-Match: *` on an existing key (what a correct store does). */
  readonly honourIfNoneMatch: boolean;
  /** Answer 412 to `If-Match` naming another ETag, or any ETag of a missing key (default true, as radosgw). */
  readonly honourIfMatch?: boolean;
  /** Store the first PUT of this object key, then drop the connection without answering. */
  readonly loseFirstResponseFor?: string;
  /** Asked after each PUT is stored (`bucket/key`): true drops the connection without answering. */
  readonly loseResponse?: (id: string) => boolean;
  /** Asked when a request has arrived, before it is looked at: a promise holds it until it settles. */
  readonly holdRequest?: (method: string, id: string) => Promise<void> | undefined;
  /** Answer a GET of this `bucket/key` with that many bytes, chunked, without a Content-Length. */
  readonly unsizedGet?: (id: string) => number | undefined;
  /** Answer ListObjectsV2 with this: given the continuation token (or null), return the page. */
  readonly listPage?: (token: string | null) => ListPage;
}

export interface FakeS3 {
  readonly endpoint: string;
  readonly buckets: Set<string>;
  /** `bucket/key` → bytes. */
  readonly objects: Map<string, Buffer>;
  /** Every request as `METHOD path`. */
  readonly requests: string[];
  /** Every answer as `METHOD path status` (a dropped connection as status `lost`). */
  readonly answers: string[];
  /** For `unsizedGet`: how many bytes of each such answer were written before the client stopped reading. */
  readonly unsizedSent: Map<string, number>;
  close(): Promise<void>;
}

const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startFakeS3(options: FakeS3Options): Promise<FakeS3> {
  const buckets = new Set<string>(['fake']);
  const objects = new Map<string, Buffer>();
  const requests: string[] = [];
  const answers: string[] = [];
  const unsizedSent = new Map<string, number>();
  let lost = false;
  const etagOf = (bytes: Buffer): string => `"${createHash('md5').update(bytes).digest('hex')}"`;
  /** A correct one-page listing (prefix, delimiter `/`, start-after) of what is stored. */
  const listAll = (bucket: string, q: URLSearchParams): ListPage => {
    const prefix = q.get('prefix') ?? '';
    const after = q.get('start-after') ?? '';
    const keys: string[] = [];
    const prefixes = new Set<string>();
    for (const id of [...objects.keys()].sort()) {
      const key = id.slice(bucket.length + 1);
      if (!id.startsWith(`${bucket}/`) || !key.startsWith(prefix) || key <= after) continue;
      const slash = key.indexOf('/', prefix.length);
      if (q.get('delimiter') === '/' && slash >= 0) prefixes.add(key.slice(0, slash + 1));
      else keys.push(key);
    }
    return { keys, prefixes: [...prefixes] };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
      const key = decodeURIComponent(rest.join('/'));
      const id = `${bucket}/${key}`;
      requests.push(`${req.method} ${url.pathname}`);
      await options.holdRequest?.(req.method ?? '', id);
      const send = (status: number, body = '', headers: Record<string, string> = {}): void => {
        answers.push(`${req.method} ${url.pathname} ${status}`);
        res.writeHead(status, { 'content-type': 'application/xml', ...headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      const error = (status: number, code: string): void => send(status, xml(`<Error><Code>${code}</Code><Message>${code}</Message></Error>`));
      if (!key) {
        if (req.method === 'HEAD') return buckets.has(bucket) ? send(200) : send(404);
        if (req.method === 'PUT') return buckets.add(bucket), send(200);
        if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
          const page: ListPage = options.listPage ? options.listPage(url.searchParams.get('continuation-token')) : listAll(bucket, url.searchParams);
          const contents = page.keys.map((k) => `<Contents><Key>${escape(k)}</Key><Size>1</Size></Contents>`).join('');
          const dirs = (page.prefixes ?? []).map((p) => `<CommonPrefixes><Prefix>${escape(p)}</Prefix></CommonPrefixes>`).join('');
          const next = page.next ? `<NextContinuationToken>${escape(page.next)}</NextContinuationToken>` : '';
          return send(200, xml(`<ListBucketResult><Name>${bucket}</Name><IsTruncated>${page.next ? 'true' : 'false'}</IsTruncated>${next}${contents}${dirs}</ListBucketResult>`));
        }
        return error(501, 'NotImplemented');
      }
      if (!buckets.has(bucket)) return error(404, 'NoSuchBucket');
      const body = Buffer.concat(chunks);
      switch (req.method) {
        case 'PUT': {
          if (options.honourIfNoneMatch && req.headers['if-none-match'] === '*' && objects.has(id)) return error(412, 'PreconditionFailed');
          const ifMatch = req.headers['if-match'];
          if (ifMatch !== undefined && (options.honourIfMatch ?? true)) {
            const found = objects.get(id);
            if (!found || ifMatch.replace(/"/g, '') !== etagOf(found).replace(/"/g, '')) return error(412, 'PreconditionFailed');
          }
          const md5 = req.headers['content-md5'];
          if (md5 && md5 !== createHash('md5').update(body).digest('base64')) return error(400, 'BadDigest');
          objects.set(id, body);
          if ((key === options.loseFirstResponseFor && !lost) || options.loseResponse?.(id)) {
            lost = key === options.loseFirstResponseFor || lost;
            answers.push(`PUT ${url.pathname} lost`);
            req.socket.destroy();
            return;
          }
          return send(200, '', { etag: etagOf(body) });
        }
        case 'GET':
        case 'HEAD': {
          const unsized = req.method === 'GET' ? options.unsizedGet?.(id) : undefined;
          if (unsized !== undefined) {
            answers.push(`GET ${url.pathname} 200 unsized`);
            res.writeHead(200, { 'content-type': 'application/octet-stream' });
            const chunk = Buffer.alloc(64 * 1024, 0x61);
            let sent = 0;
            const more = (): void => {
              while (sent < unsized && !res.destroyed) {
                const piece = chunk.subarray(0, Math.min(chunk.length, unsized - sent));
                sent += piece.length;
                unsizedSent.set(id, sent);
                if (!res.write(piece)) return void res.once('drain', more);
              }
              if (!res.destroyed) res.end();
            };
            return more();
          }
          const found = objects.get(id);
          if (!found) return req.method === 'HEAD' ? send(404) : error(404, 'NoSuchKey');
          answers.push(`${req.method} ${url.pathname} 200`);
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(found.length), etag: etagOf(found) });
          return res.end(req.method === 'HEAD' ? undefined : found);
        }
        case 'DELETE':
          objects.delete(id);
          return send(204);
        default:
          return error(501, 'NotImplemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    buckets,
    objects,
    requests,
    unsizedSent,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * One HTTP request with the path sent exactly as given (no normalisation: `..`, `%2e%2e` and backslashes
 * reach the server as written). `headersOnly` sends the headers (say, a Content-Length) and no body.
 */
export function rawRequest(
  url: string,
  method: string,
  requestPath: string,
  options: { headers?: Record<string, string>; body?: Uint8Array; headersOnly?: boolean } = {},
): Promise<RawReply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const headers = { ...(options.body ? { 'content-length': String(options.body.length) } : {}), ...options.headers };
    const req = http.request({ host: u.hostname, port: u.port, method, path: requestPath, headers, agent: false });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        req.destroy();
      });
    });
    req.on('error', reject);
    if (options.headersOnly) req.flushHeaders();
    else req.end(options.body);
  });
}

/** Every file under a folder with the SHA-256 of its bytes: equal snapshots mean nothing changed on disk. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export interface ScriptedServer {
  readonly url: string;
  /** Every request received: method, path and the Authorization header. */
  readonly seen: { method: string; path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** A real node:http server whose n-th request (0-based) is answered by `script(n, req, res)`. */
export async function scriptedServer(script: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<ScriptedServer> {
  const seen: ScriptedServer['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    script(seen.length - 1, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

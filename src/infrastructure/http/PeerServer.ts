import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CairnError, isLoopbackHost, PEER_API, toIso } from '../../domain';
import type { PeerHost } from '../../application/peer/PeerHost';
import { bearerMatcher, checkToken } from './bearerToken';
import { refuseUnread, releaseOnClose, route } from './peerRoutes';
import { Semaphore } from './Semaphore';

export interface PeerServerOptions {
  /** Address to bind (default 127.0.0.1). Anything but loopback needs a token. */
  readonly host?: string;
  /** Port (default 7420; 0 picks a free one). */
  readonly port?: number;
  /** Bearer token every request must present. */
  readonly token?: string;
  /** Requests handled at once; more wait, unread (default 16). */
  readonly maxConcurrent?: number;
  /** Bytes of artifact bodies held at once, requests and responses together (default 64 MiB). */
  readonly memoryBudget?: number;
  /** Time allowed to receive a whole request (default 120 s). */
  readonly requestTimeoutMs?: number;
  /** An idle connection is closed after this (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Imports done and server-side failures, as they happen. */
  readonly onEvent?: (event: PeerEvent) => void;
}

export type PeerEvent =
  | { readonly event: 'import'; readonly at: string; readonly report: unknown }
  | { readonly event: 'error'; readonly at: string; readonly request: string; readonly message: string };

export interface PeerServer {
  /** `http://host:port`, the URL peers sync with. */
  readonly url: string;
  /** Stop accepting, let requests in flight finish (10 s grace), wait for a running import, release the port. */
  close(): Promise<void>;
}

export const DEFAULT_PEER_PORT = 7420;

/**
 * Serve a PeerHost over HTTP/1.1 (node:http): the protocol of ADR 0008. A request is authenticated before
 * anything else is looked at (401, no detail); without a token, only loopback is served and the Host header
 * must name loopback (no DNS rebinding). Bodies stream into one buffer of their declared length, capped per
 * artifact kind (413), and a byte budget bounds what all requests hold at once.
 */
export async function servePeer(host: PeerHost, options: PeerServerOptions = {}): Promise<PeerServer> {
  const bind = options.host ?? '127.0.0.1';
  const token = options.token;
  if (token !== undefined) checkToken(token, 'serve --token');
  if (token === undefined && !isLoopbackHost(bind)) {
    throw new CairnError('INPUT_INVALID', `serving on ${bind} exposes the store beyond this machine: pass --token (or set CAIRN_TOKEN)`);
  }
  const authorized = token === undefined ? null : bearerMatcher(token);
  const slots = new Semaphore(options.maxConcurrent ?? 16);
  const budget = new Semaphore(options.memoryBudget ?? 64 * 1024 * 1024);
  const emit = options.onEvent ?? (() => undefined);
  const ctx = {
    host,
    budget,
    onImport: (report: unknown) => emit({ event: 'import', at: toIso(Date.now()), report }),
    onFailure: (err: unknown, req: http.IncomingMessage) =>
      emit({ event: 'error', at: toIso(Date.now()), request: `${req.method} ${(req.url ?? '').slice(0, 200)}`, message: (err as Error)?.message ?? String(err) }),
  };

  const server = http.createServer(async (req, res) => {
    if (authorized ? !authorized(req.headers.authorization) : !isLoopbackHost(hostName(req.headers.host))) {
      if (authorized) {
        res.setHeader('www-authenticate', 'Bearer');
        if (!req.complete) res.setHeader('connection', 'close');
        res.writeHead(401, { 'content-length': 0 }).end();
      } else {
        refuseUnread(res, 403, 'FORBIDDEN', 'this peer serves loopback only; the Host header names another host');
      }
      return;
    }
    const isImport = req.url === `${PEER_API}/import`;
    const release = isImport ? () => undefined : await slots.acquire(1);
    if (!releaseOnClose(req, res, release)) return;
    await route(ctx, req, res).catch((err) => {
      ctx.onFailure(err, req);
      res.destroy();
    });
  });
  server.requestTimeout = options.requestTimeoutMs ?? 120_000;
  server.headersTimeout = Math.min(30_000, server.requestTimeout);
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 256;
  server.setTimeout(options.idleTimeoutMs ?? 60_000, (socket) => socket.destroy());

  const port = options.port ?? DEFAULT_PEER_PORT;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new CairnError('IO_FAILED', `cannot listen on ${bind}:${port} (${err.code}): pick another --port or --host`)
          : err,
      );
    server.once('error', fail);
    server.listen(port, bind, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${address.port}`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections become idle as their last request finishes: close them as they do.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const grace = setTimeout(() => server.closeAllConnections(), 10_000);
        server.closeIdleConnections();
        await closed;
        clearInterval(sweep);
        clearTimeout(grace);
        await host.idle?.();
      })();
      return closing;
    },
  };
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(header);
  return m ? m[1]! : '';
}

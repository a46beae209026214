import type { IncomingMessage, ServerResponse } from 'node:http';
import { CairnError, PEER_API } from '../../domain';
import type { PeerHost } from '../../application/peer/PeerHost';
import { errorStatus } from './httpStatus';
import { readBody } from './readBody';
import type { Semaphore } from './Semaphore';

export interface RouteContext {
  readonly host: PeerHost;
  /** Bytes of request and response bodies held at once. */
  readonly budget: Semaphore;
  /** Called after an import (the report) or when a request failed inside the server (the error). */
  readonly onImport: (report: unknown) => void;
  readonly onFailure: (err: unknown, req: IncomingMessage) => void;
}

const ARTIFACT = `${PEER_API}/a/`;

/** Answer one authenticated request of the peer protocol (ADR 0008). */
export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = req.url ?? '';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? null : raw.slice(q + 1);
  const method = req.method ?? '';
  try {
    if (path.startsWith(ARTIFACT)) {
      if (query !== null) throw new CairnError('INPUT_INVALID', 'an artifact URL takes no query');
      return await artifact(ctx, method, path.slice(ARTIFACT.length), req, res);
    }
    if (path === `${PEER_API}/origins`) {
      allow(method, ['GET']);
      return sendJson(res, 200, { origins: await ctx.host.origins() });
    }
    if (path === `${PEER_API}/list`) {
      allow(method, ['GET']);
      const params = new URLSearchParams(query ?? '');
      const limit = params.get('limit');
      if (limit !== null && !/^[1-9]\d{0,8}$/.test(limit)) throw new CairnError('INPUT_INVALID', 'limit must be a positive integer');
      const page = await ctx.host.list(params.get('prefix') ?? '', params.get('after') || undefined, limit === null ? undefined : Number(limit));
      return sendJson(res, 200, page);
    }
    if (path === `${PEER_API}/import` && ctx.host.importReceived) {
      allow(method, ['POST']);
      req.socket.setTimeout(0); // an import can take long; the client's own timeout governs
      const report = await ctx.host.importReceived();
      ctx.onImport(report);
      return sendJson(res, 200, report);
    }
    return sendJson(res, 404, { error: { code: 'INPUT_INVALID', message: `no such endpoint ${method} ${path.slice(0, 100)}` } });
  } catch (err) {
    if (err instanceof MethodNotAllowed) {
      res.setHeader('allow', err.allowed.join(', '));
      return sendJson(res, 405, { error: { code: 'INPUT_INVALID', message: `${method} is not allowed here` } });
    }
    const e = errorStatus(err);
    if (e.status >= 500) ctx.onFailure(err, req);
    if (!res.headersSent && !req.complete) res.setHeader('connection', 'close'); // an unread body is never read
    if (!res.headersSent) sendJson(res, e.status, { error: { code: e.code, message: e.message } }, method === 'HEAD');
    else res.destroy();
  }
}

async function artifact(ctx: RouteContext, method: string, key: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  allow(method, ['GET', 'HEAD', 'PUT', 'DELETE']);
  if (method === 'HEAD') {
    const found = await ctx.host.has(key);
    res.writeHead(found ? 200 : 404, { 'cache-control': 'no-store' }).end();
    return;
  }
  if (method === 'DELETE') {
    const deleted = await ctx.host.delete(key);
    return sendJson(res, deleted ? 200 : 404, deleted ? { deleted: true } : { error: { code: 'INPUT_INVALID', message: 'no such artifact' } });
  }
  const cap = ctx.host.maxBytes(key);
  if (method === 'GET') {
    const release = await ctx.budget.acquire(cap);
    if (!releaseOnClose(req, res, release)) return;
    const bytes = await ctx.host.get(key);
    if (bytes === null) return sendJson(res, 404, { error: { code: 'INPUT_INVALID', message: 'no such artifact' } });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'cache-control': 'no-store' });
    res.end(bytes);
    return;
  }
  // PUT: the length is declared up front and checked against the cap before a byte is read.
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || declared === undefined || !/^\d{1,12}$/.test(declared)) {
    return refuseUnread(res, 411, 'INPUT_INVALID', 'a put needs a Content-Length (no chunked bodies)');
  }
  const length = Number(declared);
  if (length > cap) return refuseUnread(res, 413, 'TOO_LARGE', `${length} bytes is over the ${cap}-byte limit for this artifact`);
  const release = await ctx.budget.acquire(length);
  try {
    const body = await readBody(req, length);
    const outcome = await ctx.host.put(key, body);
    const status = outcome === 'created' ? 201 : outcome === 'identical' ? 200 : 409;
    sendJson(res, status, outcome === 'conflict' ? { outcome, error: { code: 'ARTIFACT_CONFLICT', message: 'the key holds other content' } } : { outcome });
  } finally {
    release();
  }
}

class MethodNotAllowed extends Error {
  constructor(readonly allowed: readonly string[]) {
    super('method not allowed');
  }
}

function allow(method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) throw new MethodNotAllowed(allowed);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': text.length, 'cache-control': 'no-store' });
  res.end(headOnly ? undefined : text);
}

/**
 * Give back what a request holds when its response closes. A client can go away while its request waits
 * (for a slot, for budget): 'close' has then already fired, so release now and report false (stop here).
 */
export function releaseOnClose(req: IncomingMessage, res: ServerResponse, release: () => void): boolean {
  if (res.destroyed || req.socket.destroyed) {
    release();
    return false;
  }
  res.once('close', release);
  return true;
}

/** Refuse a request whose body was not read: the connection closes after the answer, the body is never read. */
export function refuseUnread(res: ServerResponse, status: number, code: string, message: string): void {
  res.setHeader('connection', 'close');
  sendJson(res, status, { error: { code, message } });
}

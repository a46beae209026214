import * as http from 'node:http';
import * as https from 'node:https';
import { CairnError } from '../../domain';
import type { PeerEndpoint } from './peerUrl';

export interface Reply {
  readonly status: number;
  readonly body: Buffer;
}

export interface Call {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'POST';
  /** Path below the endpoint's base, starting with `/v1/`. */
  readonly path: string;
  readonly body?: Uint8Array;
  /** A response body larger than this is refused (TOO_LARGE) and not read further. */
  readonly maxResponseBytes: number;
  readonly timeoutMs: number;
}

/** A failure worth retrying: the network, a timeout. (5xx answers are retried by the caller.) */
export class TransientError extends Error {}

const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/**
 * One HTTP request to the endpoint, and only to it: the path is relative, so the token (in `headers`) can
 * never go to another host; a redirect is an error, never followed. The whole exchange has a deadline.
 */
export function httpCall(endpoint: PeerEndpoint, agent: http.Agent, headers: Record<string, string>, call: Call): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const mod = endpoint.protocol === 'https:' ? https : http;
    const where = `${call.method} ${endpoint.url}${call.path.split('?')[0]}`;
    let settled = false;
    const finish = (err: Error | null, reply?: Reply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(reply!);
    };
    const req = mod.request({
      host: endpoint.hostname,
      port: endpoint.port,
      method: call.method,
      path: endpoint.basePath + call.path,
      agent,
      headers: { ...headers, ...(call.body ? { 'content-type': 'application/octet-stream', 'content-length': String(call.body.length) } : {}) },
    });
    const deadline = setTimeout(() => finish(new TransientError(`${where}: no answer within ${call.timeoutMs} ms`)), call.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      finish(TRANSIENT.has(code) || /socket hang up/i.test(err.message) ? new TransientError(`${where}: ${err.message}`) : new CairnError('TRANSPORT_FAILED', `${where}: ${err.message}`));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        return finish(new CairnError('TRANSPORT_FAILED', `${where} answered a redirect (${status}); redirects are refused: use the final URL`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > call.maxResponseBytes) {
        return finish(new CairnError('TOO_LARGE', `${where}: the answer is ${declared} bytes, over the ${call.maxResponseBytes}-byte limit`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > call.maxResponseBytes) finish(new CairnError('TOO_LARGE', `${where}: the answer is over the ${call.maxResponseBytes}-byte limit`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (Number.isFinite(declared) && size !== declared && call.method !== 'HEAD') {
          return finish(new TransientError(`${where}: the answer ended after ${size} of ${declared} bytes`));
        }
        finish(null, { status, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      });
      res.on('error', (err) => finish(new TransientError(`${where}: ${err.message}`)));
      res.on('aborted', () => finish(new TransientError(`${where}: the answer was cut off`)));
    });
    req.end(call.body);
  });
}

export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  readonly retries: number;
  /** First backoff; doubles each time, with jitter, at most 5 s (default 200 ms). */
  readonly baseMs: number;
}

/**
 * Retry with exponential backoff on transient failures: network errors, timeouts and 5xx answers. A 4xx
 * answer, a redirect or an oversize answer is final at once.
 */
export async function withRetries(policy: RetryPolicy, attempt: () => Promise<Reply>): Promise<Reply> {
  for (let n = 0; ; n++) {
    try {
      const reply = await attempt();
      if (reply.status < 500 || n >= policy.retries) return reply;
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      if (n >= policy.retries) throw new CairnError('TRANSPORT_FAILED', `${err.message} (after ${n + 1} attempts)`);
    }
    const delay = Math.min(5000, policy.baseMs * 2 ** n) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

import * as http from 'node:http';
import * as https from 'node:https';
import type { ListOptions, PutOutcome, Transport } from '../../application/ports';
import { CairnError, isSafeStoreKey, maxWireBytesForKey, PEER_API, PEER_LIST_MAX, type ErrorCode } from '../../domain';
import { httpCall, withRetries, type Call, type Reply, type RetryPolicy } from './httpCall';
import type { PeerEndpoint } from './peerUrl';

export interface HttpTransportOptions {
  readonly token?: string;
  /** Deadline of one request (default 30 s). */
  readonly timeoutMs?: number;
  /** Deadline of the import the peer runs at the end of a sync (default 10 min). */
  readonly importTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
}

/** Codes a peer may answer with that mean the same here; anything else is TRANSPORT_FAILED. */
const PASSED_ON = new Set<string>([
  'ARTIFACT_NAME_INVALID', 'INPUT_INVALID', 'FORBIDDEN', 'ARTIFACT_CONFLICT', 'TOO_LARGE',
  'HASH_MISMATCH', 'ARTIFACT_INVALID', 'CODEC_FAILED', 'CODEC_UNSUPPORTED', 'HLC_INVALID', 'DECOMPRESSED_TOO_LARGE',
]);
const JSON_MAX = 4 * 1024 * 1024;

/**
 * An HTTP peer (`cairn serve`) as a sync target: the protocol of ADR 0008. Requests go one at a time to the
 * configured host only, with the bearer token; each has a deadline and is retried with backoff on transient
 * failures; bodies in both directions are bounded by one artifact.
 */
export class HttpTransport implements Transport {
  readonly url: string;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly importTimeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly endpoint: PeerEndpoint,
    private readonly options: HttpTransportOptions = {},
  ) {
    this.url = endpoint.url;
    this.agent = new (endpoint.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 8 });
    const token = options.token;
    if (token !== undefined && !/^[\x21-\x7e]{1,1024}$/.test(token)) {
      throw new CairnError('INPUT_INVALID', 'the token must be 1 to 1024 visible ASCII characters');
    }
    this.headers = { accept: 'application/json, application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.importTimeoutMs = options.importTimeoutMs ?? 600_000;
    this.retry = { retries: options.retry?.retries ?? 3, baseMs: options.retry?.baseMs ?? 200 };
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutOutcome> {
    const path = this.artifactPath(key);
    const cap = maxWireBytesForKey(key);
    if (bytes.length > cap) throw new CairnError('TOO_LARGE', `${key} is ${bytes.length} bytes, over the ${cap}-byte limit of its kind`);
    const r = await this.call({ method: 'PUT', path, body: bytes, maxResponseBytes: JSON_MAX });
    if (r.status === 201) return 'created';
    if (r.status === 200) return 'identical';
    if (r.status === 409) return 'conflict';
    throw this.failure(r, `put ${key}`);
  }

  async get(key: string): Promise<Uint8Array | null> {
    const r = await this.call({ method: 'GET', path: this.artifactPath(key), maxResponseBytes: maxWireBytesForKey(key) });
    if (r.status === 404) return null;
    if (r.status !== 200) throw this.failure(r, `get ${key}`);
    return new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.length);
  }

  async has(key: string): Promise<boolean> {
    const r = await this.call({ method: 'HEAD', path: this.artifactPath(key), maxResponseBytes: 0 });
    if (r.status === 200 || r.status === 404) return r.status === 200;
    throw this.failure(r, `check ${key}`);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    if (!prefix.endsWith('/')) throw new CairnError('INTERNAL', `list prefix must end with "/": ${prefix}`);
    const keys: string[] = [];
    let after = options.after;
    for (;;) {
      const want = options.limit === undefined ? PEER_LIST_MAX : Math.min(PEER_LIST_MAX, options.limit - keys.length);
      if (want <= 0) return keys;
      const q = new URLSearchParams({ prefix, limit: String(want), ...(after !== undefined ? { after } : {}) });
      const page = this.json<{ keys: string[]; next: string | null }>(await this.call({ method: 'GET', path: `${PEER_API}/list?${q}`, maxResponseBytes: JSON_MAX }), `list ${prefix}`);
      // The peer is not trusted to page correctly: every key is a safe key under the prefix, after the cursor,
      // in strictly increasing order, and `next` is the last of them. Otherwise the listing could loop for ever.
      if (!Array.isArray(page.keys) || (page.next !== null && page.next !== page.keys[page.keys.length - 1])) throw this.disorder(prefix, 'a cursor that is not its last key');
      for (const key of page.keys) {
        if (typeof key !== 'string' || !key.startsWith(prefix) || !isSafeStoreKey(key)) throw this.disorder(prefix, `key ${JSON.stringify(String(key).slice(0, 200))} outside the prefix`);
        if (after !== undefined && key <= after) throw this.disorder(prefix, `key ${JSON.stringify(key)} not after ${JSON.stringify(after)}`);
        after = key;
        keys.push(key);
      }
      if (page.next === null || page.keys.length === 0) return keys;
    }
  }

  async origins(): Promise<string[]> {
    return this.json<{ origins: string[] }>(await this.call({ method: 'GET', path: `${PEER_API}/origins`, maxResponseBytes: JSON_MAX }), 'list origins').origins;
  }

  async delete(key: string): Promise<boolean> {
    const r = await this.call({ method: 'DELETE', path: this.artifactPath(key), maxResponseBytes: JSON_MAX });
    if (r.status === 200 || r.status === 404) return r.status === 200;
    throw this.failure(r, `delete ${key}`);
  }

  /** Ask the peer to import what this sync pushed; resolves with its import report. */
  async finish(): Promise<unknown> {
    const r = await this.call({ method: 'POST', path: `${PEER_API}/import`, maxResponseBytes: JSON_MAX }, this.importTimeoutMs);
    return this.json<unknown>(r, 'import');
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private artifactPath(key: string): string {
    if (!isSafeStoreKey(key)) throw new CairnError('ARTIFACT_NAME_INVALID', `artifact key ${JSON.stringify(key)} is not a safe <a>/<b>/<c> key`);
    return `${PEER_API}/a/${key}`;
  }

  private call(call: Omit<Call, 'timeoutMs'>, timeoutMs = this.timeoutMs): Promise<Reply> {
    return withRetries(this.retry, () => httpCall(this.endpoint, this.agent, this.headers, { ...call, timeoutMs }));
  }

  private json<T>(r: Reply, what: string): T {
    if (r.status !== 200) throw this.failure(r, what);
    try {
      return JSON.parse(r.body.toString('utf8')) as T;
    } catch {
      throw new CairnError('TRANSPORT_FAILED', `${this.url} answered ${what} with something that is not JSON: is it a cairn peer?`);
    }
  }

  private disorder(prefix: string, what: string): CairnError {
    return new CairnError('TRANSPORT_FAILED', `${this.url} listed ${prefix} inconsistently (${what}); nothing was trusted from it: is it a cairn peer?`);
  }

  private failure(r: Reply, what: string): CairnError {
    if (r.status === 401) {
      const why = this.options.token ? 'refused the token' : 'needs a token';
      return new CairnError('AUTH_FAILED', `${this.url} ${why} (401): pass --token or set CAIRN_TOKEN`);
    }
    let code = '';
    let message = '';
    try {
      const doc = JSON.parse(r.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
      code = typeof doc.error?.code === 'string' ? doc.error.code : '';
      message = typeof doc.error?.message === 'string' ? doc.error.message.replace(/\s+/g, ' ').slice(0, 300) : '';
    } catch {
      // not JSON: the status says it all
    }
    const ours = (PASSED_ON.has(code) ? code : r.status === 413 ? 'TOO_LARGE' : r.status === 403 ? 'FORBIDDEN' : 'TRANSPORT_FAILED') as ErrorCode;
    return new CairnError(ours, `${this.url} refused to ${what} (${r.status}${message ? `: ${message}` : ''})`);
  }
}

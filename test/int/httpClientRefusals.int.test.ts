import { HttpTransport, parsePeerUrl } from '../../src/plugins/http-transport';
import { expectCode } from '../../src/testing';
import { scriptedServer, type ScriptedServer } from '../helpers/httpPeer';
import { origin } from '../helpers/syncFixtures';
import { removeTempDirs } from '../helpers/tempHome';

const TOKEN = 'client-token-0123456789abcdef';
const servers: ScriptedServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  removeTempDirs();
});

async function scripted(script: Parameters<typeof scriptedServer>[0]): Promise<ScriptedServer> {
  const s = await scriptedServer(script);
  servers.push(s);
  return s;
}

const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};
const transport = (url: string, extra: { timeoutMs?: number; retries?: number } = {}): HttpTransport =>
  new HttpTransport(parsePeerUrl(url), { token: TOKEN, timeoutMs: extra.timeoutMs ?? 5000, retry: { retries: extra.retries ?? 3, baseMs: 1 } });

describe('the HTTP client refuses what it must not do', () => {
  it('refuses URLs with user info, a query or a fragment, other schemes and odd paths', () => {
    for (const bad of ['http://user:pw@127.0.0.1:7420', 'http://user@127.0.0.1:7420', 'http://@127.0.0.1:7420', 'http://127.0.0.1:7420/?x=1', 'http://127.0.0.1:7420?', 'http://127.0.0.1:7420#frag', 'http://127.0.0.1:7420/#', 'ftp://127.0.0.1/', 'http://127.0.0.1:7420/a%20b']) {
      expect(() => parsePeerUrl(bad)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
    // The message never repeats the credentials.
    expect(() => parsePeerUrl('http://user:hunter2@127.0.0.1:7420')).toThrow(expect.not.objectContaining({ message: expect.stringContaining('hunter2') }));
  });

  it('refuses plain http to a non-loopback host without the explicit opt-in', async () => {
    for (const url of ['http://192.0.2.10:7420', 'http://peer.example:7420', 'http://[2001:db8::1]:7420']) {
      expect(() => parsePeerUrl(url)).toThrow(expect.objectContaining({ code: 'INSECURE_TARGET' }));
      expect(parsePeerUrl(url, true).url).toBe(url);
    }
    for (const url of ['http://127.0.0.1:7420', 'http://localhost:7420', 'http://[::1]:7420', 'https://peer.example']) expect(parsePeerUrl(url).url).toBe(url);
    // Through the library, as `sync` opens targets.
    const c = await origin('client', 3);
    try {
      await expectCode(c.sync('http://192.0.2.10:7420', { token: TOKEN }), 'INSECURE_TARGET');
      await expectCode(c.sync('http://u:p@127.0.0.1:7420'), 'INPUT_INVALID');
    } finally {
      c.close();
    }
  });

  it('refuses a redirect and never sends the token to the host it points at', async () => {
    const elsewhere = await scripted((_n, _req, res) => json(res, 200, { origins: [] }));
    const redirecting = await scripted((_n, req, res) => res.writeHead(307, { location: `${elsewhere.url}${req.url}`, 'content-length': 0 }).end());
    await expectCode(transport(redirecting.url).origins(), 'TRANSPORT_FAILED');
    expect(redirecting.seen).toHaveLength(1); // a redirect is final: no retry
    expect(redirecting.seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(elsewhere.seen).toEqual([]);
  });

  it('retries 5xx answers with backoff and succeeds once the peer recovers', async () => {
    const flaky = await scripted((n, _req, res) => (n < 2 ? json(res, 503, { error: { code: 'INTERNAL', message: 'busy' } }) : json(res, 200, { origins: ['a-aaaaaa'] })));
    expect(await transport(flaky.url).origins()).toEqual(['a-aaaaaa']);
    expect(flaky.seen).toHaveLength(3);
  });

  it('gives up after its retries when the peer keeps failing', async () => {
    const broken = await scripted((_n, _req, res) => json(res, 500, { error: { code: 'INTERNAL', message: 'down' } }));
    await expectCode(transport(broken.url, { retries: 2 }).origins(), 'TRANSPORT_FAILED');
    expect(broken.seen).toHaveLength(3);
  });

  it('retries a connection reset and a request that got no answer in time', async () => {
    const resetting = await scripted((n, req, res) => (n === 0 ? req.socket.destroy() : json(res, 200, { origins: [] })));
    expect(await transport(resetting.url).origins()).toEqual([]);
    expect(resetting.seen).toHaveLength(2);
    const silent = await scripted((n, _req, res) => (n === 0 ? undefined : json(res, 200, { origins: [] })));
    expect(await transport(silent.url, { timeoutMs: 300 }).origins()).toEqual([]);
    expect(silent.seen).toHaveLength(2);
  });

  it('never retries a 4xx answer', async () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422, 429]) {
      const refusing = await scripted((_n, _req, res) => json(res, status, { error: { code: 'INPUT_INVALID', message: 'no' } }));
      await expect(transport(refusing.url).origins()).rejects.toThrow();
      expect(refusing.seen).toHaveLength(1);
    }
  });

  it('maps 401 to AUTH_FAILED without echoing the token', async () => {
    const locked = await scripted((_n, _req, res) => res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-length': 0 }).end());
    const err = await transport(locked.url).origins().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED' });
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('refuses an answer larger than the artifact it asked for, without reading it', async () => {
    const huge = await scripted((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 70_000 });
      res.end(Buffer.alloc(70_000));
    });
    await expectCode(transport(huge.url).get(`a-aaaaaa/meta/0000000001.0-${'a'.repeat(64)}.json`), 'TOO_LARGE');
    expect(huge.seen).toHaveLength(1);
    // The same cap without a declared length: the body is counted as it streams.
    const streamed = await scripted((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(70_000));
    });
    await expectCode(transport(streamed.url).get(`a-aaaaaa/meta/0000000001.0-${'a'.repeat(64)}.json`), 'TOO_LARGE');
  });

  it('refuses to upload more than one artifact can be, before connecting', async () => {
    const never = await scripted((_n, _req, res) => json(res, 201, { outcome: 'created' }));
    await expectCode(transport(never.url).putIfAbsent(`a-aaaaaa/meta/0000000001.0-${'a'.repeat(64)}.json`, new Uint8Array(70_000)), 'TOO_LARGE');
    expect(never.seen).toEqual([]);
  });

  it('refuses a listing that does not move forward, leaves the prefix or names unsafe keys, instead of looping', async () => {
    const k = (n: number): string => `alpha-aaaaaa/blobs/${String(n).padStart(64, '0')}`;
    const pages: unknown[] = [
      { keys: [k(1), k(2)], next: k(2) }, // the same full page again and again
      { keys: [k(2), k(1)], next: k(1) },
      { keys: ['beta-bbbbbb/blobs/' + '0'.repeat(64)], next: null },
      { keys: ['alpha-aaaaaa/blobs/../x'], next: null },
      { keys: [k(1), k(2)], next: k(1) },
    ];
    for (const page of pages) {
      const s = await scripted((_n, _req, res) => json(res, 200, page));
      await expectCode(transport(s.url).list('alpha-aaaaaa/blobs/', { limit: 10_000 }), 'TRANSPORT_FAILED');
      expect(s.seen.length).toBeLessThanOrEqual(2);
    }
  });
});

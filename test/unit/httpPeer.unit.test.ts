import { Coalescer } from '../../src/application/services/Coalescer';
import { isLoopbackHost, isSafeStoreKey, isSafeStorePrefix, maxWireBytes } from '../../src/domain';
import { bearerMatcher, checkToken } from '../../src/infrastructure/http/bearerToken';
import { Semaphore } from '../../src/infrastructure/http/Semaphore';

describe('HTTP peer building blocks', () => {
  it('knows loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'LOCALHOST']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '127.0.0.256', 'localhost.evil.example', '128.0.0.1', '', 'example.com']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('accepts only safe three-part keys and two-part prefixes', () => {
    expect(isSafeStoreKey(`a-aaaaaa/meta/0000000001.0-${'a'.repeat(64)}.json`)).toBe(true);
    for (const k of ['../x/y', 'a/../b', 'a//b', '/a/b', 'a/b/.c', 'a/b/c/d', 'a/b', 'a/b/%2e', 'a\\b/c/d', 'a/b/c d', '']) expect(isSafeStoreKey(k)).toBe(false);
    expect(isSafeStorePrefix('a-aaaaaa/segments/')).toBe(true);
    for (const p of ['a-aaaaaa/segments', '../', 'a/b/c/', '/a/', 'a//']) expect(isSafeStorePrefix(p)).toBe(false);
  });

  it('caps a body by the kind of artifact, allowing zstd’s worst-case expansion', () => {
    expect(maxWireBytes('meta')).toBe(64 * 1024);
    expect(maxWireBytes('segment')).toBeGreaterThan(4 * 1024 * 1024 + 64 * 1024);
    expect(maxWireBytes('segment')).toBeLessThan(4.2 * 1024 * 1024);
  });

  it('matches a bearer token exactly', () => {
    const ok = bearerMatcher('0123456789abcdef-token');
    expect(ok('Bearer 0123456789abcdef-token')).toBe(true);
    // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
    expect(ok('bearer 0123456789abcdef-token')).toBe(true);
    expect(ok('BEARER 0123456789abcdef-token')).toBe(true);
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'bearer 0123456789ABCDEF-token', 'Bearer 0123456789abcdef-tokeN', 'Bearer 0123456789abcdef-token ', 'Basic 0123456789abcdef-token']) {
      expect(ok(h)).toBe(false);
    }
    expect(() => checkToken('short', 'x')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => checkToken('has a space in it, sixteen+', 'x')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('coalesces requests: one run at a time, and everything asked during a run shares the next one', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const c = new Coalescer(async () => {
      const n = ++runs;
      await new Promise<void>((r) => (release = r));
      return n;
    });
    const first = c.request();
    const queued = [c.request(), c.request(), c.request()];
    expect(runs).toBe(1);
    release();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
    release();
    expect(await Promise.all(queued)).toEqual([2, 2, 2]);
    await c.idle();
    const after = c.request();
    release();
    expect(await after).toBe(3);
  });

  it('a failed run does not stop the queued one', async () => {
    let runs = 0;
    const c = new Coalescer(async () => {
      runs++;
      await new Promise((r) => setImmediate(r));
      if (runs === 1) throw new Error('first fails');
      return runs;
    });
    const first = c.request();
    const second = c.request();
    await expect(first).rejects.toThrow('first fails');
    expect(await second).toBe(2);
  });

  it('a weighted semaphore never lends more than its capacity; an oversize request runs alone', async () => {
    const s = new Semaphore(10);
    const a = await s.acquire(6);
    let bGot = false;
    const b = s.acquire(6).then((r) => ((bGot = true), r));
    await new Promise((r) => setImmediate(r));
    expect(bGot).toBe(false);
    expect(s.inUse).toBe(6);
    a();
    const rb = await b;
    expect(s.inUse).toBe(6);
    let bigGot = false;
    const big = s.acquire(100).then((r) => ((bigGot = true), r));
    await new Promise((r) => setImmediate(r));
    expect(bigGot).toBe(false);
    rb();
    const rbig = await big;
    expect(s.inUse).toBe(10);
    rbig();
    rbig(); // releasing twice changes nothing
    expect(s.inUse).toBe(0);
  });
});

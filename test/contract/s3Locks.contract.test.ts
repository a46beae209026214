import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LeaseLock, systemLockClock, systemRandom, type LeaseClaim } from '../../src';
import { createS3Client, LOCK_FOLDER, parseS3Url, resolveS3Settings, S3LeaseStore } from '../../src/plugins/s3-transport';
import { lockContract } from '../../src/testing';
import { closeS3Transports, describeS3, freshS3Url, openS3, S3_BUCKET } from '../helpers/s3Env';

afterAll(closeS3Transports);

const clients: S3Client[] = [];
function client(): S3Client {
  const c = createS3Client(resolveS3Settings({}, process.env));
  clients.push(c);
  return c;
}
afterEach(() => {
  while (clients.length > 0) clients.pop()!.destroy();
});

/** A fresh lock prefix in the test bucket (made sure to exist), and stores on it, each with its own client. */
async function freshLock(): Promise<{ url: string; store: () => S3LeaseStore }> {
  const url = freshS3Url('lock');
  await openS3(url); // creates the bucket on first use
  const endpoint = process.env.CAIRN_S3_ENDPOINT!;
  return { url, store: () => new S3LeaseStore(client(), parseS3Url(url), endpoint) };
}

describeS3('the S3 lock on a real server', () => {
  lockContract('s3 (radosgw)', async () => {
    const { store } = await freshLock();
    return { store };
  });

  describe('what only the S3 lock has', () => {
    const keysOf = async (url: string): Promise<string[]> => {
      const { root } = parseS3Url(url);
      const out = await client().send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: root }));
      return (out.Contents ?? []).map((c) => c.Key!.slice(root.length));
    };
    const body = async (url: string, key: string): Promise<Record<string, unknown>> => {
      const out = await client().send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: parseS3Url(url).root + key }));
      return JSON.parse(await out.Body!.transformToString()) as Record<string, unknown>;
    };
    const claim = (owner: string): LeaseClaim => ({ owner, host: 'h', pid: 1, acquiredAt: Date.now(), expiresAt: Date.now() + 30_000 });

    it('keeps one generation key under the dot folder, ends it with a "released" record, never deletes the newest', async () => {
      const { url, store } = await freshLock();
      const lock = new LeaseLock(store(), { clock: systemLockClock, random: systemRandom, host: 'h', pid: 1 });
      for (let i = 0; i < 4; i++) await (await lock.acquire()).release();
      expect(await keysOf(url)).toEqual([`${LOCK_FOLDER}000000000004`]);
      expect(await body(url, `${LOCK_FOLDER}000000000004`)).toMatchObject({ v: 1, ended: 'released', token: 4, by: { host: 'h', pid: 1 } });
    });

    it('an older generation left behind (a holder that stopped before collecting) is ignored and collected', async () => {
      const { url, store } = await freshLock();
      const s = store();
      const first = await s.tryAcquire(claim('one'), Date.now());
      await s.release(first.holder!);
      const second = await s.tryAcquire(claim('two'), Date.now());
      expect(second).toMatchObject({ acquired: true, holder: { token: 2 } });
      // Put generation 1 back as if a slow holder had written it late: it is not the lock.
      const { root } = parseS3Url(url);
      await client().send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${root}${LOCK_FOLDER}000000000001`, Body: JSON.stringify({ ...claim('ghost'), v: 1, token: 1 }) }));
      expect((await store().inspect(Date.now()))?.owner).toBe('two');
      await s.release(second.holder!);
      const third = store();
      expect((await third.tryAcquire(claim('three'), Date.now())).holder?.token).toBe(3);
      await third.settled(); // superseded generations are deleted in the background of an acquisition
      expect(await keysOf(url)).toEqual([`${LOCK_FOLDER}000000000003`]);
    });

    it('a generation that is not a lock record counts as stale, and its token is not reused', async () => {
      const { url, store } = await freshLock();
      const { root } = parseS3Url(url);
      await client().send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${root}${LOCK_FOLDER}000000000007`, Body: 'not json' }));
      expect(await store().inspect(Date.now())).toMatchObject({ owner: 'unknown', token: 7, stale: true });
      const mine = store();
      expect(await mine.tryAcquire(claim('me'), Date.now())).toMatchObject({ acquired: true, holder: { token: 8 } });
      await mine.settled();
      expect(await keysOf(url)).toEqual([`${LOCK_FOLDER}000000000008`]);
    });

  });
});

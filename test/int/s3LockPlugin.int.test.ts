import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { LeaseLock, openCairn, systemLockClock, systemRandom } from '../../src';
import { createS3Client, LOCK_FOLDER, parseS3Url, resolveS3Settings, S3LeaseStore } from '../../src/plugins/s3-transport';
import { expectCode } from '../../src/testing';
import { closeS3Transports, describeS3, freshS3Url, openS3, S3_BUCKET } from '../helpers/s3Env';
import { removeTempDirs, tempHome } from '../helpers/tempHome';

afterAll(async () => {
  await closeS3Transports();
  removeTempDirs();
});

describe('the s3-lock plugin validates its options', () => {
  const invalid = 'PLUGIN_OPTIONS_INVALID';
  it.each([
    ['no options', undefined, invalid, /"url" must be/],
    ['no url', { ttlMs: 5_000 }, invalid, /"url" must be/],
    ['a url that is not s3://', { url: '/tmp/lock' }, invalid, /not an S3 target/],
    ['an unknown option', { url: 's3://bucket/p', bogus: 1 }, invalid, /unknown option\(s\) bogus/],
    ['a TTL too short', { url: 's3://bucket/p', ttlMs: 5 }, invalid, /ttlMs must be/],
    ['a negative skew bound', { url: 's3://bucket/p', maxClockSkewMs: -1 }, invalid, /maxClockSkewMs must be/],
    ['an S3 option of the wrong type', { url: 's3://bucket/p', pathStyle: 'yes' }, invalid, /"pathStyle" must be a boolean/],
    ['plain http to a remote host (as the S3 transport)', { url: 's3://bucket/p', endpoint: 'http://example.com' }, 'INPUT_INVALID', /plain http/],
  ])('refuses %s', async (_what, lockOptions, code, message) => {
    const err = await openCairn({ home: tempHome(), lock: 's3-lock', lockOptions }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

describeS3('a cairn whose store lock is the S3 lock', () => {
  const clients: S3Client[] = [];
  const client = (): S3Client => {
    const c = createS3Client(resolveS3Settings({}, process.env));
    clients.push(c);
    return c;
  };
  afterAll(() => clients.forEach((c) => c.destroy()));

  it('takes it for every mutation (openCairn({ lock: "s3-lock", lockOptions })), and waits for a holder elsewhere', async () => {
    const url = freshS3Url('store-lock');
    await openS3(url); // the bucket exists
    const home = tempHome();
    const cairn = await openCairn({ home, lock: 's3-lock', lockOptions: { url, ttlMs: 10_000 }, lockTimeoutMs: 0 });
    try {
      await cairn.append('notes', [{ text: 'one' }, { text: 'two' }]);
      expect(cairn.show('notes').entries.map((e) => e.body)).toEqual([{ text: 'one' }, { text: 'two' }]);
      expect(fs.existsSync(path.join(home, 'lock'))).toBe(false); // no file lock beside it
      const { root } = parseS3Url(url);
      const keys = await client().send(new ListObjectsV2Command({ Bucket: S3_BUCKET, Prefix: `${root}${LOCK_FOLDER}` }));
      expect(keys.Contents).toHaveLength(1);
      const newest = await client().send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: keys.Contents![0]!.Key! }));
      expect(JSON.parse(await newest.Body!.transformToString())).toMatchObject({ ended: 'released', by: { pid: process.pid } });
      expect(await cairn.lockStatus()).toBeNull();

      // Another machine holds the lock: this store's mutations wait for it (here: not at all) and fail.
      const elsewhere = new LeaseLock(new S3LeaseStore(client(), parseS3Url(url), process.env.CAIRN_S3_ENDPOINT!), {
        clock: systemLockClock,
        random: systemRandom,
        host: 'elsewhere',
        pid: 4242,
        ttlMs: 10_000,
      });
      const handle = await elsewhere.acquire();
      try {
        const err = await cairn.append('notes', [{ text: 'three' }]).catch((e: unknown) => e);
        await expectCode(Promise.reject(err), 'LOCK_HELD');
        expect((err as Error).message).toContain(`the store's lock ${url}/.cairn-lock (${process.env.CAIRN_S3_ENDPOINT}) is held by pid 4242 on host elsewhere`);
        expect(await cairn.lockStatus()).toMatchObject({ host: 'elsewhere', pid: 4242, token: handle.token, stale: false });
      } finally {
        await handle.release();
      }
      await cairn.append('notes', [{ text: 'three' }]);
      expect(cairn.show('notes').entries).toHaveLength(3);
    } finally {
      cairn.close();
    }
  });
});

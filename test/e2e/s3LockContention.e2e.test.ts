import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, LOCK_FOLDER, parseS3Url, resolveS3Settings } from '../../src/plugins/s3-transport';
import { overlapping, readHoldIntervals } from '../helpers/holdIntervals';
import { closeS3Transports, describeS3, freshS3Url, openS3 } from '../helpers/s3Env';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(async () => {
  await closeS3Transports();
  removeTempDirs();
});

const CHILD = path.join(__dirname, '..', 'helpers', 's3LockChild.js');

function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`S3 lock child exited ${code}: ${stderr}`))));
  });
}

describeS3('the S3 lock under contention (8 processes × 50 cycles on a counter object)', () => {
  it('counts to exactly 400, and no two holders ever overlap', async () => {
    const lockUrl = freshS3Url('contention');
    await openS3(lockUrl); // the bucket exists
    const client = createS3Client(resolveS3Settings({}, process.env));
    try {
      const counter = parseS3Url(`${lockUrl}/counter`);
      const Key = counter.root.slice(0, -1);
      await client.send(new PutObjectCommand({ Bucket: counter.bucket, Key, Body: '0' }));
      const dir = tempDir('cairn-s3-contention-');
      const logs = Array.from({ length: 8 }, (_, i) => path.join(dir, `log-${i}`));
      await Promise.all(logs.map((log) => runChild([lockUrl, `${lockUrl}/counter`, log, '50', '10000', '100'])));

      const final = await client.send(new GetObjectCommand({ Bucket: counter.bucket, Key }));
      expect(await final.Body!.transformToString()).toBe('400');
      const intervals = readHoldIntervals(logs);
      expect(intervals).toHaveLength(400);
      expect(overlapping(intervals)).toEqual([]);
      // In holding order, the counter goes 1..400 and the fencing tokens strictly increase.
      expect(intervals.map((x) => x.value)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      expect(intervals.every((x, i) => i === 0 || x.token > intervals[i - 1]!.token)).toBe(true);
      // Only the newest generation is left, released.
      const { root } = parseS3Url(lockUrl);
      const left = await client.send(new ListObjectsV2Command({ Bucket: counter.bucket, Prefix: `${root}${LOCK_FOLDER}` }));
      expect(left.Contents?.map((c) => c.Key!.slice(root.length + LOCK_FOLDER.length))).toEqual([String(intervals.at(-1)!.token).padStart(12, '0')]);
    } finally {
      client.destroy();
    }
  }, 300_000); // about 30 s alone here; every S3 request costs ~2 ms of CPU in the SDK, and the machine is shared
});

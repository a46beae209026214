import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, resolveS3Settings } from '../../src/plugins/s3-transport';
import { closeS3Transports, describeS3, openS3, S3_BUCKET } from '../helpers/s3Env';

afterAll(closeS3Transports);

describeS3('the shared S3 client against a real server', () => {
  it('replaces an object only with If-Match on its current (quoted) ETag, as the S3 lock will', async () => {
    await openS3(); // makes sure the bucket exists
    const client = createS3Client(resolveS3Settings({}, process.env));
    try {
      const Key = `if-match-${randomUUID()}`;
      const first = await client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key, Body: Buffer.from('one'), IfNoneMatch: '*' }));
      expect(first.ETag).toMatch(/^".+"$/); // S3 hands out quoted ETags; the middleware unquotes them on the way back
      const stale = '"00000000000000000000000000000000"';
      await expect(client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key, Body: Buffer.from('x'), IfMatch: stale }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 412 },
      });
      const second = await client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key, Body: Buffer.from('two'), IfMatch: first.ETag }));
      await expect(client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key, Body: Buffer.from('three'), IfMatch: first.ETag }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 412 },
      });
      expect(second.ETag).not.toBe(first.ETag);
      const got = await client.send(new GetObjectCommand({ Bucket: S3_BUCKET, Key }));
      expect(await got.Body!.transformToString()).toBe('two');
    } finally {
      client.destroy();
    }
  });
});

import { ContainerModule } from 'inversify';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TransportFactory } from '../../application/ports';
import { definePlugin } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { CairnError } from '../../domain';
import { createS3Client } from './createS3Client';
import { httpStatus, s3Failure } from './s3Errors';
import { resolveS3Settings, validateS3Options, type S3Options } from './s3Settings';
import { parseS3Url, type S3Target } from './s3Target';
import { S3Transport } from './S3Transport';

/** Transports for `s3://bucket/prefix`, configured from options over the environment at each open. */
export function s3TransportFactory(options: S3Options = {}, env: NodeJS.ProcessEnv = process.env): TransportFactory {
  return {
    schemes: ['s3'],
    async create(url, { create }) {
      const target = parseS3Url(url);
      const settings = resolveS3Settings(options, env);
      const endpoint = settings.endpoint ?? `aws:${settings.region}`;
      const client = createS3Client(settings);
      try {
        await ensureBucket(client, target, endpoint, settings.region, create ?? false);
      } catch (err) {
        client.destroy();
        throw err;
      }
      return new S3Transport(client, target, endpoint);
    },
  };
}

/** The bucket must exist; `sync --init` creates it (one we already own is fine). */
async function ensureBucket(client: S3Client, target: S3Target, endpoint: string, region: string, create: boolean): Promise<void> {
  const where = `${target.url} (${endpoint})`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: target.bucket }));
    return;
  } catch (err) {
    if (httpStatus(err) !== 404) throw s3Failure('head bucket', where, err);
  }
  if (!create) throw new CairnError('INPUT_INVALID', `S3 bucket ${target.bucket} does not exist at ${endpoint}: create it, or pass --init to create it`);
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: target.bucket,
        ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {}),
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'BucketAlreadyOwnedByYou') return;
    if ((err as { name?: string }).name === 'BucketAlreadyExists') {
      throw new CairnError('INPUT_INVALID', `S3 bucket ${target.bucket} at ${endpoint} belongs to someone else: choose another bucket name`);
    }
    throw s3Failure('create bucket', where, err);
  }
}

/** `s3://bucket/prefix` targets on AWS S3 or any S3-compatible store that honours conditional writes. */
export const s3TransportPlugin = definePlugin<S3Options>({
  name: 's3-transport',
  kind: 'transport',
  schemes: ['s3'],
  fromOptions(options) {
    const factory = s3TransportFactory(validateS3Options('s3-transport', options));
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.TransportFactory).toConstantValue(factory);
    });
  },
});

import * as os from 'node:os';
import { ContainerModule } from 'inversify';
import { LeaseLock, lockPluginTiming, type LeaseTiming, type LockClock, type RandomSource } from '../../application/ports';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { isCairnError } from '../../domain';
import { createS3Client } from './createS3Client';
import { S3LeaseStore } from './S3LeaseStore';
import { resolveS3Settings, S3_OPTION_KEYS, validateS3Options, type S3Options } from './s3Settings';
import { parseS3Url, type S3Target } from './s3Target';

export interface S3LockOptions extends LeaseTiming, S3Options {
  /** Where the lock lives: `s3://bucket/prefix` (its generations are the keys under `<prefix>/.cairn-lock/`). */
  readonly url: string;
  /** The largest certain difference between this machine's clock and the server's (default: a sixth of the TTL). */
  readonly maxClockSkewMs?: number;
}

/**
 * The store's lock in an S3 bucket (S3LeaseStore, ADR 0009), for machines that share a store through S3.
 * Options: `url`, the lease timing (`ttlMs`, `heartbeatMs`, `retryMs`), `maxClockSkewMs`, and the S3 options
 * of the transport (`endpoint`, `region`, `pathStyle`, …), which override the environment as there.
 * The bucket must exist.
 */
export const s3LockPlugin = definePlugin<S3LockOptions>({
  name: 's3-lock',
  kind: 'lock',
  fromOptions(options) {
    const timing = lockPluginTiming('s3-lock', options, ['url', 'maxClockSkewMs', ...S3_OPTION_KEYS]);
    if (typeof options?.url !== 'string') throw invalidPluginOptions('s3-lock', '"url" must be the lock\'s place, s3://bucket/prefix');
    const target = parseTarget(options.url);
    const skew = options.maxClockSkewMs;
    if (skew !== undefined && (!Number.isSafeInteger(skew) || skew < 0)) throw invalidPluginOptions('s3-lock', `maxClockSkewMs must be a non-negative integer, got ${String(skew)}`);
    const s3: Record<string, unknown> = {};
    for (const key of S3_OPTION_KEYS) if (options[key] !== undefined) s3[key] = options[key];
    const settings = resolveS3Settings(validateS3Options('s3-lock', s3), process.env);
    const endpoint = settings.endpoint ?? `aws:${settings.region}`;
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.Lock).toDynamicValue((ctx) => {
        const clock = ctx.get<LockClock>(TOKENS.LockClock);
        const store = new S3LeaseStore(createS3Client(settings), target, endpoint, {
          wallClock: () => clock.now(),
          ...(skew !== undefined ? { maxClockSkewMs: skew } : {}),
        });
        return new LeaseLock(store, { ...timing, clock, random: ctx.get<RandomSource>(TOKENS.Random), host: os.hostname(), pid: process.pid });
      });
    });
  },
});

function parseTarget(url: string): S3Target {
  try {
    return parseS3Url(url);
  } catch (err) {
    if (isCairnError(err)) throw invalidPluginOptions('s3-lock', err.message);
    throw err;
  }
}

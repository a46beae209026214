import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { LeaseLock, lockPluginTiming, type LeaseTiming, type LockClock, type RandomSource } from '../../application/ports';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { FileLeaseStore } from './FileLeaseStore';
import { thisHost } from './hostIdentity';

export interface FileLockOptions extends LeaseTiming {
  /** The lock's folder (a store's is `<home>/lock`). */
  readonly dir: string;
}

/** The store's lock as generation files in a folder (see FileLeaseStore and ADR 0009). */
export const fileLockPlugin = definePlugin<FileLockOptions>({
  name: 'file-lock',
  kind: 'lock',
  fromOptions(options) {
    const timing = lockPluginTiming('file-lock', options, ['dir']);
    if (typeof options?.dir !== 'string' || options.dir.length === 0) throw invalidPluginOptions('file-lock', '"dir" must be a non-empty folder path');
    const dir = path.resolve(options.dir);
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.Lock).toDynamicValue(
        (ctx) =>
          new LeaseLock(new FileLeaseStore(dir), {
            ...timing,
            clock: ctx.get<LockClock>(TOKENS.LockClock),
            random: ctx.get<RandomSource>(TOKENS.Random),
            host: thisHost().host,
            pid: process.pid,
          }),
      );
    });
  },
});

import * as os from 'node:os';
import { ContainerModule } from 'inversify';
import { LeaseLock, lockPluginTiming, type LeaseTiming, type LockClock, type RandomSource } from '../../application/ports';
import { definePlugin } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { MemoryLeaseStore } from './MemoryLeaseStore';

/** An in-process lock, for the memory store: it excludes nobody outside this container. */
export const memoryLockPlugin = definePlugin<LeaseTiming>({
  name: 'memory-lock',
  kind: 'lock',
  fromOptions(options) {
    const timing = lockPluginTiming('memory-lock', options);
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.Lock).toDynamicValue(
        (ctx) =>
          new LeaseLock(new MemoryLeaseStore(), {
            ...timing,
            clock: ctx.get<LockClock>(TOKENS.LockClock),
            random: ctx.get<RandomSource>(TOKENS.Random),
            host: os.hostname(),
            pid: process.pid,
          }),
      );
    });
  },
});

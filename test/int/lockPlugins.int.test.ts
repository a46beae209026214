import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import {
  definePlugin,
  LeaseLock,
  lockPluginTiming,
  MemoryLeaseStore,
  openCairn,
  TOKENS,
  type AcquireAttempt,
  type LeaseClaim,
  type LeaseTiming,
  type LockClock,
  type RandomSource,
} from '../../src';
import { expectCode } from '../../src/testing';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

/** A third-party lock (as an S3 lock will be): its own LeaseStore, wrapped by LeaseLock, bound under TOKENS.Lock. */
class CountingLeaseStore extends MemoryLeaseStore {
  attempts = 0;
  override tryAcquire(claim: LeaseClaim, now: number): Promise<AcquireAttempt> {
    this.attempts++;
    return super.tryAcquire(claim, now);
  }
}
const stores: CountingLeaseStore[] = [];
const countingLock = definePlugin<LeaseTiming>({
  name: 'counting-lock',
  kind: 'lock',
  fromOptions(options) {
    const timing = lockPluginTiming('counting-lock', options);
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.Lock).toDynamicValue((ctx) => {
        const store = new CountingLeaseStore();
        stores.push(store);
        return new LeaseLock(store, { ...timing, clock: ctx.get<LockClock>(TOKENS.LockClock), random: ctx.get<RandomSource>(TOKENS.Random), host: 'test', pid: process.pid });
      });
    });
  },
});

describe('lock plugins', () => {
  it('a third-party lock plugin is used for every mutation, and on open (creating the read model, catching up)', async () => {
    const cairn = await openCairn({ home: tempHome(), clock: steppingClock(), plugins: [countingLock as never], lock: 'counting-lock', lockOptions: { ttlMs: 5_000 } });
    const store = stores.at(-1)!;
    expect(store.attempts).toBe(2);
    await cairn.append('s', [{ a: 1 }]);
    await cairn.export();
    await cairn.meta({ op: 'star', stream: 's' });
    expect(store.attempts).toBe(5);
    expect(cairn.streams()).toHaveLength(1); // reads take no lock
    expect(store.attempts).toBe(5);
    cairn.close();
  });

  it('lock options are validated, and an unknown lock plugin is refused', async () => {
    await expectCode(openCairn({ home: tempHome(), lockOptions: { ttlMs: 5 } }), 'PLUGIN_OPTIONS_INVALID');
    await expectCode(openCairn({ home: tempHome(), lockOptions: { ttlMs: 3_000, heartbeatMs: 2_000 } }), 'PLUGIN_OPTIONS_INVALID');
    await expectCode(openCairn({ home: tempHome(), lockOptions: { bogus: 1 } }), 'PLUGIN_OPTIONS_INVALID');
    await expectCode(openCairn({ home: tempHome(), lock: 'no-such-lock' }), 'PLUGIN_UNKNOWN');
  });

  it('the store lock defaults to the lock folder of the home, and to the in-memory lock with the memory store', async () => {
    const onDisk = tempHome();
    const a = await openCairn({ home: onDisk });
    await a.append('s', [{ a: 1 }]);
    a.close();
    expect(fs.readdirSync(path.join(onDisk, 'lock')).filter((n) => n.endsWith('.lock'))).toHaveLength(1);
    const inMemory = tempHome();
    const b = await openCairn({ home: inMemory, store: 'memory-store', storeOptions: {}, database: ':memory:' });
    await b.append('s', [{ b: 1 }]);
    expect(b.show('s').entries).toHaveLength(1);
    b.close();
    expect(fs.existsSync(path.join(inMemory, 'lock'))).toBe(false);
  });
});

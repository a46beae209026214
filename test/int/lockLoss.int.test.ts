import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { definePlugin, FileLeaseStore, LeaseLock, openCairn, systemLockClock, systemRandom, TOKENS, type Cairn, type Transport, type TransportFactory } from '../../src';
import { encodeName } from '../../src/plugins/file-store/FileJournal';
import { memoryTarget } from '../../src/plugins/memory-store';
import { expectCode, ManualTime } from '../../src/testing';
import { dumpReadModel } from '../helpers/readModelDump';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const TTL = 30_000;

/** A transport over an in-process bucket whose `origins` waits at a gate the test opens. */
let gate: { reached: () => void; open: Promise<void> } | null = null;
const gatedFactory: TransportFactory = {
  schemes: ['gated'],
  async create(url) {
    const inner = memoryTarget(url.slice('gated://'.length));
    const t: Transport = {
      url,
      putIfAbsent: (k, b) => inner.putIfAbsent(k, b),
      get: (k) => inner.get(k),
      has: (k) => inner.has(k),
      list: (p, o) => inner.list(p, o),
      origins: async () => {
        const g = gate;
        if (g) {
          g.reached();
          await g.open;
        }
        return inner.origins();
      },
      delete: (k) => inner.delete(k),
      close: async () => undefined,
    };
    return t;
  },
};
const gatedPlugin = definePlugin({
  name: 'gated-transport',
  kind: 'transport',
  schemes: ['gated'],
  fromOptions: () => new ContainerModule(({ bind }) => void bind(TOKENS.TransportFactory).toConstantValue(gatedFactory)),
});

/** Set the gate; resolves once the sync waits at it, with the function that lets it through. */
function arm(): { atGate: Promise<void>; release: () => void } {
  let reached!: () => void;
  let release!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  gate = { reached, open: new Promise<void>((r) => (release = r)) };
  return { atGate, release };
}

/** A home whose lock runs on virtual time, and a bucket holding another origin's archive. */
async function setUp(bucket: string): Promise<{ cairn: Cairn; time: ManualTime; home: string }> {
  const other = await openCairn({ home: tempHome('other', 2), clock: steppingClock() });
  await other.append('theirs', [{ n: 1 }, { n: 2 }]);
  await other.sync(`memory://${bucket}`, { create: true });
  other.close();
  const time = new ManualTime(Date.now());
  const home = tempHome('desk', 1);
  const cairn = await openCairn({ home, clock: steppingClock(), lockClock: time.clock(), lockOptions: { dir: path.join(home, 'lock'), ttlMs: TTL }, plugins: [gatedPlugin as never] });
  await cairn.append('mine', [{ n: 1 }]);
  return { cairn, time, home };
}

const localOrigins = (home: string): string[] => fs.readdirSync(path.join(home, 'artifacts'));

describe('a lost lock stops the operation before its next write', () => {
  afterEach(() => {
    gate = null;
  });

  it('an append whose process was paused past its lease writes no further chunk', async () => {
    const { cairn, time, home } = await setUp('paused');
    const big = 'x'.repeat(400_000); // about 2 bodies per 1 MiB journal record
    let chunks = 0;
    const appending = cairn.append('s', Array.from({ length: 10 }, (_, i) => ({ i, big })), {
      onProgress: () => {
        if (++chunks === 1) time.jump(TTL); // stopped (SIGSTOP) for a whole lease after the first chunk
      },
    });
    await expectCode(appending, 'LOCK_LOST');
    const journal = fs.readFileSync(path.join(home, 'journal', `${encodeName('s')}.ndjson`), 'utf8').trim().split('\n');
    const entries = journal.map((l) => JSON.parse(l) as { t: string; bodies?: unknown[] }).filter((r) => r.t === 'entries');
    expect(entries).toHaveLength(1); // the chunk before the pause, and nothing after it
    expect(cairn.show('s').entries.length).toBe(entries[0]!.bodies!.length);
    cairn.close();
  });

  it('a sync whose lock is broken mid-way (heard by the heartbeat) pulls nothing after it', async () => {
    const { cairn, time, home } = await setUp('broken');
    const { atGate, release } = arm();
    const syncing = cairn.sync('gated://broken');
    await atGate; // exported; about to list the target
    const breaker = new LeaseLock(new FileLeaseStore(path.join(home, 'lock')), { clock: systemLockClock, random: systemRandom, host: 'admin', pid: process.pid });
    expect(await breaker.forceRelease()).toMatchObject({ pid: process.pid });
    await time.advance(TTL / 3); // the holder's next heartbeat hears it
    release();
    await expectCode(syncing, 'LOCK_LOST');
    expect(localOrigins(home)).toEqual([cairn.origin]); // nothing of the other origin was pulled
    await expect(cairn.sync('memory://broken')).resolves.toMatchObject({ imported: { streams: 1, entries: 2 } });
    cairn.close();
  });

  it('an interrupted sync stuck in a read gives the lock up at once when abandoned, and never writes again', async () => {
    const { cairn, home } = await setUp('stuck');
    const { atGate, release } = arm();
    const syncing = cairn.sync('gated://stuck');
    await atGate;
    expect(await cairn.lockStatus()).toMatchObject({ pid: process.pid, stale: false });
    const settled = cairn.interrupt();
    await cairn.abandonLock(); // what the CLI does when the grace period ends first
    expect(await cairn.lockStatus()).toBeNull();
    release();
    await expectCode(syncing, 'INTERRUPTED');
    await settled;
    expect(localOrigins(home)).toEqual([cairn.origin]);
    await expectCode(cairn.export(), 'INTERRUPTED');
    cairn.close();
  });
});

describe('after an operation stopped part-way, the next one first catches the read model up with the store', () => {
  it('an export whose lock ran out after a checkpoint, before its events: the same instance ends equal to its rebuild, nothing pending', async () => {
    // Given a long-lived instance (sync --watch, serve, an app) with 4 streams pending, exporting in batches
    const time = new ManualTime(Date.now());
    const home = tempHome('desk', 1);
    const lockOptions = { dir: path.join(home, 'lock'), ttlMs: TTL };
    const cairn = await openCairn({ home, clock: steppingClock(), lockClock: time.clock(), lockOptions, exportBatchEntries: 5 });
    for (const s of ['s1', 's2', 's3', 's4']) await cairn.append(s, [1, 2, 3]);

    // When its export loses the lock right after its first checkpoint (the process was paused), while it
    // publishes that checkpoint's events, and the instance then exports again
    let paused = false;
    const sub = cairn.events$.subscribe((e) => {
      if (e.type === 'SegmentAccepted' && !paused) time.jump(TTL);
      paused = true;
    });
    await expectCode(cairn.export(), 'LOCK_LOST');
    sub.unsubscribe();
    expect(await cairn.export()).toMatchObject({ checkpoint: 2 });

    // Then its read model knows every stream is sealed, as a rebuild does
    const sealed = cairn.streams().map((s) => [s.stream, s.entries, s.sealed]).sort();
    expect(sealed).toEqual(['s1', 's2', 's3', 's4'].map((s) => [s, 3, 3]));
    expect((await cairn.status()).pending).toBe(0);
    cairn.close();
    const rebuilt = path.join(tempDir(), 'rebuilt.db');
    const r = await openCairn({ home, clock: steppingClock(), lockClock: time.clock(), lockOptions, database: rebuilt, skipCatchUp: true });
    await r.rebuild();
    r.close();
    expect(dumpReadModel(path.join(home, 'cairn.db'))).toEqual(dumpReadModel(rebuilt));
  });
});

describe('a lock lost between an export\'s checkpoint and its journal removal', () => {
  it('removes no journal: an append by the next holder in between is exported, nothing lost or doubled', async () => {
    // Given an instance with entries pending, whose lease runs out as its export publishes the checkpoint
    const time = new ManualTime(Date.now());
    const home = tempHome('desk', 1);
    const lockOptions = { dir: path.join(home, 'lock'), ttlMs: TTL };
    const a = await openCairn({ home, clock: steppingClock(), lockClock: time.clock(), lockOptions });
    await a.append('s', [1, 2, 3]);
    const sub = a.events$.subscribe((e) => {
      if (e.type === 'CheckpointAccepted') time.jump(TTL); // the last event before the journals are removed
    });
    await expectCode(a.export(), 'LOCK_LOST');
    sub.unsubscribe();
    expect(fs.existsSync(path.join(home, 'journal', `${encodeName('s')}.ndjson`))).toBe(true);

    // When another instance takes the lock over and appends to the same stream, then exports
    const b = await openCairn({ home, clock: steppingClock(Date.parse('2026-11-23T00:00:00.000Z')), lockClock: time.clock(), lockOptions });
    expect(await b.append('s', [4])).toMatchObject({ lastOrdinal: 3 });
    a.close();
    expect(await b.export()).toMatchObject({ checkpoint: 2, segments: 1 });

    // Then every acknowledged entry is sealed once, and nothing is pending
    expect(b.show('s').entries.map((e) => [e.ordinal, e.body])).toEqual([[0, 1], [1, 2], [2, 3], [3, 4]]);
    expect((await b.status()).pending).toBe(0);
    b.close();
  });
});

describe('reads outside a mutation are not fenced by the mutation that happens to run', () => {
  afterEach(() => {
    gate = null;
  });

  it('status while a sync is being interrupted answers (the sync, not the reader, is stopped)', async () => {
    const { cairn } = await setUp('reading');
    const { atGate, release } = arm();
    const syncing = cairn.sync('gated://reading');
    await atGate; // the sync holds the lock
    const settled = cairn.interrupt();
    await expect(cairn.status()).resolves.toMatchObject({ origin: cairn.origin, pending: 0, checkpoint: 1 }); // exported before the gate
    release();
    await expectCode(syncing, 'INTERRUPTED');
    await settled;
    cairn.close();
  });

  it('status asked by a subscriber in the middle of a batched export answers, however the export goes on', async () => {
    for (let run = 0; run < 10; run++) {
      const cairn = await openCairn({ home: tempHome('desk', 1), clock: steppingClock(), exportBatchEntries: 2 });
      for (const s of ['a', 'b', 'c', 'd', 'e', 'f']) await cairn.append(s, [1, 2]);
      const answers: Promise<unknown>[] = [];
      cairn.events$.subscribe((e) => {
        if (e.type === 'CheckpointAccepted') answers.push(cairn.status().then((st) => st.origin));
      });
      await cairn.export();
      expect(await Promise.all(answers)).toEqual(Array.from({ length: 6 }, () => cairn.origin));
      cairn.close();
    }
  });
});

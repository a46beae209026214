import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cairn } from '../../src/application/Cairn';
import type { SyncResult } from '../../src/application/usecases/SyncWithTarget';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { SqliteReadModel } from '../../src/infrastructure/sqlite/SqliteReadModel';
import { COMPARABLE_TABLES } from '../../src/infrastructure/sqlite/schema';
import { removeTempDirs, tempDir, tempHome } from '../helpers/tempHome';
import { mulberry32 } from '../../src/testing/prng';

/*
 * "Kill -9 a sync at any point, re-run it, and the result equals an uninterrupted sync."
 *
 * The sync runs in a child process (test/helpers/syncChild.js, on dist/ like the real binary) that prints a
 * marker as it enters each phase; the parent SIGKILLs it a chosen delay after a chosen marker. Delays come
 * from the measured phases of an uninterrupted run of the same child, and a seeded PRNG picks them inside
 * each phase (set CAIRN_CRASH_SEED to replay a run; the seed is in the test names).
 */

const CHILD = path.join(__dirname, '..', 'helpers', 'syncChild.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { body } = require(CHILD) as { body: (stream: string, ordinal: number) => unknown };

const SEED = Number(process.env.CAIRN_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STREAMS = ['notes', 'log', 'journal.daily'] as const;
const ROUNDS = 10;
const PER_ROUND = 667; // 3 streams × 10 rounds × 667 ≈ 20,000 entries of ~300 bytes

const rnd = mulberry32(SEED);
const debug = (...args: unknown[]): void => {
  if (process.env.CAIRN_CRASH_DEBUG) process.stderr.write(`${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
};
const between = (lo: number, hi: number): number => Math.round(lo + rnd() * Math.max(0, hi - lo));

type Tables = Record<string, unknown[]>;

/** toEqual, with a fast path: jest's deep diff of 20,000-row tables is slow, so it only runs on a mismatch. */
function expectSame(actual: unknown, expected: unknown, context: unknown = {}): void {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return;
  expect({ context, value: actual }).toEqual({ context, value: expected });
}

function dumpDb(file: string): Tables {
  const rm = new SqliteReadModel(file);
  try {
    return Object.fromEntries(Object.entries(COMPARABLE_TABLES).map(([table, sql]) => [table, rm.dump(sql)]));
  } finally {
    rm.close();
  }
}

/** The tables of a home's database as it is on disk, without opening the store (no catch-up can mask a gap). */
const dumpHome = (home: string): Tables => dumpDb(path.join(home, 'cairn.db'));

/** Replay the store into a brand-new database file and dump it. */
async function dumpRebuild(home: string): Promise<Tables> {
  const file = path.join(home, `rebuilt-${Date.now()}.db`);
  const c = await openCairn({ home, database: file, skipCatchUp: true });
  await c.rebuild();
  c.close();
  const tables = dumpDb(file);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  return tables;
}

interface Snapshot {
  streams: ReturnType<Cairn['streams']>;
  shows: Record<string, ReturnType<Cairn['show']>>;
}

function snapshot(c: Cairn): Snapshot {
  const streams = c.streams();
  const shows: Snapshot['shows'] = {};
  for (const s of streams) shows[s.id] = c.show(s.id, { from: 0, limit: Math.max(1, s.entries) });
  return { streams, shows };
}

interface Kill {
  /**
   * `spawn`, a marker the child prints (`ready`, `phase:pull`, `event:SegmentAccepted`, `phase:push`, …), or
   * `poll`: the first moment `poll()` holds (checked every millisecond while the child runs).
   */
  readonly after: string;
  readonly delayMs: number;
  readonly poll?: () => boolean;
  readonly label?: string;
  /** The child stops dead right after printing marker `after` (CAIRN_TEST_HOLD): the kill lands exactly there. */
  readonly hold?: boolean;
}

interface RunOutcome {
  readonly killed: boolean;
  /** The last marker printed before the SIGKILL was sent (`spawn` when none yet): the phase the kill landed in. */
  readonly landedAfter: string;
  readonly marks: Record<string, number>;
  readonly result?: SyncResult;
}

/** Run the sync child; with a kill, SIGKILL it `delayMs` after marker `after`. A child that fails is an error. */
function runSync(home: string, target: string, kill?: Kill): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const env = kill?.hold ? { ...process.env, CAIRN_TEST_HOLD: kill.after } : process.env;
    const child = spawn(process.execPath, [CHILD, home, target], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const marks: Record<string, number> = {};
    let last = 'spawn';
    let landedAfter = '';
    let result: SyncResult | undefined;
    let stderr = '';
    let buf = '';
    let timer: NodeJS.Timeout | undefined;
    const fire = (): void => {
      landedAfter = last;
      child.kill('SIGKILL');
    };
    const arm = (): void => {
      if (kill!.delayMs <= 0) fire();
      else timer = setTimeout(fire, kill!.delayMs);
    };
    let poller: NodeJS.Timeout | undefined;
    if (kill?.after === 'spawn') arm();
    else if (kill?.after === 'poll') {
      poller = setInterval(() => {
        if (!kill.poll!()) return;
        clearInterval(poller);
        arm();
      }, 1);
    }
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^mark (\S+) (\d+)$/.exec(line);
        if (m) {
          marks[m[1]!] = Number(m[2]);
          last = m[1]!;
          if (kill && kill.after === m[1] && !landedAfter && timer === undefined) arm();
        } else if (line.startsWith('result ')) {
          result = JSON.parse(line.slice(7)) as SyncResult;
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      if (signal === 'SIGKILL') resolve({ killed: true, landedAfter, marks });
      else if (code === 0 && result) resolve({ killed: false, landedAfter: 'completed', marks, result });
      else reject(new Error(`sync child failed (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

/** Which phase a kill landed in, from the last marker the child printed before it. */
function pullSidePhase(landedAfter: string): string {
  if (landedAfter === 'spawn') return 'startup';
  if (landedAfter === 'ready' || landedAfter === 'phase:pull') return 'pull';
  if (landedAfter.startsWith('event:')) return 'import';
  if (landedAfter === 'phase:push') return 'push';
  return landedAfter; // `done` (closing) or `completed` (it finished first)
}

function pushSidePhase(landedAfter: string): string {
  if (landedAfter === 'spawn') return 'startup';
  if (landedAfter === 'ready' || landedAfter === 'phase:export' || landedAfter.startsWith('event:')) return 'export';
  if (landedAfter === 'phase:push') return 'push';
  return landedAfter;
}

async function appendRound(a: Cairn, round: number): Promise<void> {
  for (const s of STREAMS) {
    const bodies = Array.from({ length: PER_ROUND }, (_, i) => body(s, round * PER_ROUND + i));
    await a.append(s, bodies as never, { kind: 'notes' });
  }
}

function expectFaithful(snap: Snapshot): void {
  for (const s of snap.streams) {
    if (!(STREAMS as readonly string[]).includes(s.stream)) continue;
    const entries = snap.shows[s.id]!.entries;
    expectSame(
      entries.map((e) => [e.ordinal, e.body]),
      Array.from({ length: s.entries }, (_, i) => [i, body(s.stream, i)]),
      { stream: s.id, check: 'entries are the generated ones, dense from 0' },
    );
  }
}

let homeA: string;
let folder: string;

afterAll(removeTempDirs);

beforeAll(async () => {
  // Origin A: ~20,000 entries in 3 streams, exported in 10 checkpoints (30 segments), synced into a folder.
  homeA = tempHome('alpha', 11);
  folder = path.join(tempDir(), 'shared');
  const a = await openCairn({ home: homeA });
  for (let r = 0; r < ROUNDS; r++) {
    await appendRound(a, r);
    await a.export();
  }
  const first = await a.sync(folder, { create: true });
  expect(first).toMatchObject({ pulled: 0, quarantined: 0, failures: [] });
  // The newest checkpoint's segments (30), the manifests every pushed checkpoint names (10 × 3, so each
  // checkpoint is whole on its own if a push stops between two of them) and the 10 checkpoints.
  expect(first.pushed).toBe(ROUNDS * STREAMS.length + ROUNDS * STREAMS.length + ROUNDS);
  a.close();
}, 120_000);

describe('kill -9 during sync', () => {
  it(`the pulling side: killed in startup, pull, import or push and re-run, it equals an uninterrupted sync (seed ${SEED})`, async () => {
    // Reference: C syncs the folder without interruption; that run is also the measurement of the phases.
    const homeC = tempHome('charlie', 31);
    const ref = await runSync(homeC, folder);
    expect(ref.killed).toBe(false);
    expect(ref.result).toMatchObject({ quarantined: 0, deferred: 0, failures: [], imported: { streams: 3, entries: ROUNDS * PER_ROUND * 3 } });
    const m = ref.marks;
    const pullMs = Math.max(2, (m['event:SegmentAccepted'] ?? 0) - (m['phase:pull'] ?? 0));
    const importMs = Math.max(2, (m['phase:push'] ?? 0) - (m['event:SegmentAccepted'] ?? 0));
    const totalMs = Math.max(5, m.done ?? 0);
    debug('C reference', m);
    const expectedTables = dumpHome(homeC);
    const cairnC = await openCairn({ home: homeC });
    const expected = snapshot(cairnC);
    cairnC.close();
    expect(expected.streams).toHaveLength(3);
    expectFaithful(expected);
    expect(expected.streams.map((st) => st.entries)).toEqual([ROUNDS * PER_ROUND, ROUNDS * PER_ROUND, ROUNDS * PER_ROUND]);

    // Each iteration: a fresh, empty B, killed once or more, then one uninterrupted run.
    const plans: Kill[][] = [
      [
        { after: 'spawn', delayMs: 0 }, // immediately
        { after: 'ready', delayMs: between(0, 4) }, // a few ms
      ],
      [
        { after: 'ready', delayMs: between(10, 60) }, // tens of ms
        { after: 'phase:pull', delayMs: between(pullMs * 0.3, pullMs * 0.9) }, // mid-pull
      ],
      [
        { after: 'event:SegmentAccepted', delayMs: between(0, importMs * 0.3) }, // early in the import
        { after: 'spawn', delayMs: between(150, 450) }, // then in the restart's open (catch-up) or early sync
      ],
      [{ after: 'event:SegmentAccepted', delayMs: between(importMs * 0.4, importMs * 0.95) }], // mid-import
      [
        { after: 'event:CheckpointAccepted', delayMs: 0 }, // the import's last step
        { after: 'phase:push', delayMs: 0 }, // push
      ],
      [{ after: 'ready', delayMs: between(0, totalMs) }], // anywhere
      // Held: these land in their phase whatever the load, so every phase is certainly covered.
      [
        { after: 'phase:pull', delayMs: 0, hold: true }, // as the pull starts
        { after: 'event:SegmentAccepted', delayMs: 0, hold: true }, // just after the first segment is imported
      ],
    ];
    const landed: string[] = [];
    for (const [i, plan] of plans.entries()) {
      const homeB = tempHome(`bravo${i}`, 21 + i);
      for (const kill of plan) {
        const t0 = Date.now();
        const outcome = await runSync(homeB, folder, kill);
        landed.push(pullSidePhase(outcome.landedAfter));
        debug('B', i, kill, '->', pullSidePhase(outcome.landedAfter), outcome.marks, `${Date.now() - t0}ms`);
      }
      let t0 = Date.now();
      const final = await runSync(homeB, folder);
      debug('B final', final.marks, final.result!.pulled, final.result!.imported, `${Date.now() - t0}ms`);
      t0 = Date.now();
      expect(final.killed).toBe(false);
      expect(final.result).toMatchObject({ quarantined: 0, deferred: 0, failures: [] });

      // The database as the final sync left it (before any catch-up on open) equals C's, table by table.
      const tables = dumpHome(homeB);
      expectSame(tables, expectedTables, { iteration: i, plan, check: 'tables equal the reference' });

      const b = await openCairn({ home: homeB });
      try {
        // Same streams, same entries (show output) as the uninterrupted reference.
        expectSame(snapshot(b), expected, { iteration: i, plan, check: 'streams and show equal the reference' });
        // A further sync changes nothing.
        const again = await b.sync(folder);
        expect(again).toMatchObject({ pulled: 0, pushed: 0, deferred: 0, quarantined: 0, failures: [], imported: { streams: 0, entries: 0, events: 0 } });
      } finally {
        b.close();
      }
      // And B equals its own rebuild.
      expectSame(await dumpRebuild(homeB), tables, { iteration: i, plan, check: 'equals its rebuild' });
      debug('B checks', `${Date.now() - t0}ms`);
    }
    // The kills really did land in the phases we aimed at (push is ~1 ms for B: not required).
    expect(landed).toEqual(expect.arrayContaining(['startup', 'pull', 'import']));
  }, 180_000);

  it(`the pushing side: A killed in export or push and re-run, C still gets everything and never takes a half-written artifact (seed ${SEED})`, async () => {
    // A gains an unexported round and a stream with blobs, so its sync has an export to do, and it pushes its
    // whole archive to a fresh folder.
    const target = path.join(tempDir(), 'fresh');
    const a = await openCairn({ home: homeA });
    await appendRound(a, ROUNDS);
    for (let k = 0; k < 3; k++) {
      const bytes = new Uint8Array(48_000).map((_, j) => (j * 31 + k * 7) & 0xff);
      const blob = await a.putBlob(bytes);
      await a.append('attachments', [{ name: `file-${k}`, file: blob }] as never, { kind: 'files' });
    }
    const final = snapshot(a);
    const originA = a.origin;
    a.close();
    const total = final.streams.reduce((n, s) => n + s.entries, 0);
    expect(total).toBe((ROUNDS + 1) * PER_ROUND * 3 + 3);

    // Measure an uninterrupted run on a copy of A's home (same origin, another folder).
    const scratch = path.join(tempDir(), 'alpha-copy');
    fs.cpSync(homeA, scratch, { recursive: true });
    const ref = await runSync(scratch, path.join(tempDir(), 'scratch-target'));
    expect(ref.killed).toBe(false);
    expect(ref.result!.exported.checkpoint).toBe(ROUNDS + 1);
    debug('A reference', ref.marks);
    const pushStart = ref.marks['phase:push'] ?? 0;
    const pushMs = Math.max(2, (ref.marks.done ?? 0) - pushStart);

    // Checkpoints go last, ascending: a kill among them is aimed by watching the folder (a timer is too coarse).
    const published = (): number => {
      try {
        return fs.readdirSync(path.join(target, originA, 'checkpoints')).filter((n) => !n.startsWith('.')).length;
      } catch {
        return 0;
      }
    };
    const atLeast = (n: number): Kill => ({ after: 'poll', delayMs: 0, poll: () => published() >= n, label: `checkpoints>=${n}` });
    const first = between(1, 4);
    // Ordered so that every kill still finds work to interrupt: the last one is random.
    const plans: Kill[] = [
      { after: 'spawn', delayMs: 0 }, // immediately
      // Held: lands just after the export's first segment whatever the load (the timed kill below may not).
      { after: 'event:SegmentAccepted', delayMs: 0, hold: true, label: 'held in the export' },
      { after: 'ready', delayMs: between(0, Math.max(1, pushStart * 0.8)) }, // in the export
      { after: 'phase:push', delayMs: between(0, pushMs * 0.4) }, // pushing segments
      atLeast(first), // among the checkpoints
      atLeast(Math.min(ROUNDS, first + between(1, 5))), // among them again
      { after: 'phase:push', delayMs: between(0, pushMs) }, // anywhere in the push
    ];
    const homeC = tempHome('charlie', 41);
    const c = await openCairn({ home: homeC });
    const landed: string[] = [];
    let quarantined = 0;
    try {
      for (const kill of plans) {
        const outcome = await runSync(homeA, target, kill);
        landed.push(pushSidePhase(outcome.landedAfter));
        debug('A', kill.label ?? kill, '->', pushSidePhase(outcome.landedAfter), outcome.marks);
        // C syncs what the killed run left: it never fails, and what it imports is an exact prefix of A's streams.
        const r = await c.sync(target, { create: true });
        expect(r.failures).toEqual([]);
        quarantined += r.quarantined;
        debug('C after the kill', { pulled: r.pulled, deferred: r.deferred, quarantined: r.quarantined, imported: r.imported });
        const seen = snapshot(c);
        for (const s of seen.streams) {
          const want = final.shows[s.id];
          expect(want).toBeDefined();
          expect(s.entries).toBeLessThanOrEqual(want!.entries.length);
          expectSame(seen.shows[s.id]!.entries, want!.entries.slice(0, s.entries), { kill, stream: s.id });
        }
      }

      const done = await runSync(homeA, target);
      expect(done.killed).toBe(false);
      expect(done.result).toMatchObject({ quarantined: 0, failures: [] });
      const r = await c.sync(target);
      expect(r).toMatchObject({ deferred: 0, failures: [] });
      quarantined += r.quarantined;
      // Everything arrives (quarantined pieces, if ever, were healed from A's completed run), exactly as A has it.
      const a2 = await openCairn({ home: homeA });
      const afterA = snapshot(a2);
      a2.close();
      expectSame(
        Object.fromEntries(Object.entries(afterA.shows).map(([g, v]) => [g, v.entries])),
        Object.fromEntries(Object.entries(final.shows).map(([g, v]) => [g, v.entries])),
        'A lost or changed nothing',
      );
      expectSame(snapshot(c), afterA, 'C has what A has');
      expect(await c.sync(target)).toMatchObject({ pulled: 0, pushed: 0, imported: { entries: 0 } });
    } finally {
      c.close();
    }
    // A's own read model survived its kills: it equals its rebuild, and C's database equals A's.
    const tablesA = dumpHome(homeA);
    expectSame(await dumpRebuild(homeA), tablesA, 'A equals its rebuild');
    expectSame(dumpHome(homeC), tablesA, 'C equals A');
    expectSame(await dumpRebuild(homeC), tablesA, 'C equals its rebuild');
    expect(landed).toEqual(expect.arrayContaining(['startup', 'export', 'push']));
    // The folder publishes by link from a dot-file: C never met a half-written artifact, so it set none aside.
    expect(quarantined).toBe(0);
  }, 180_000);
});

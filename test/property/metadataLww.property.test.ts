import * as path from 'node:path';
import fc from 'fast-check';
import type { Cairn } from '../../src/application/Cairn';
import type { EditRequest } from '../../src/application/usecases/EditMetadata';
import type { SyncResult } from '../../src/application/usecases/SyncWithTarget';
import { decodeMetaPack, isCairnError, maxDecodedBytes, parseArtifactKey } from '../../src/domain';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import type { MemoryTransport } from '../../src/plugins/memory-store';
import { mulberry32 } from '../../src/testing/prng';
import { freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';
import { dumpReadModel } from '../helpers/readModelDump';

/**
 * The metadata ledger converges. 2–4 origins share one or two streams (created by one of them, synced to all),
 * then edit the same registers concurrently — titles, stars, pins of entries 0 and 1, trash/restore, now and
 * then a purge — while every origin syncs only with its OWN memory:// bucket and a simulated copy tool moves
 * meta/ files between the buckets: random subsets, interleaved across origins, with duplicates, at random
 * times; an origin may also rebuild its read model mid-run, and a pack may be damaged in a bucket (a byte
 * flipped, or cut short: bit rot, a copy tool's truncation), mid-run or right before the end. After complete
 * delivery and syncing until nothing moves:
 *   - no damaged pack is left in any bucket, and nothing but the damaged packs was ever quarantined;
 *   - every replica holds the same events and the identical registers, conflict log and purge tombstones
 *     (all comparable tables are compared), and the same titles/stars/trash/pins through the API;
 *   - no edit is lost; each register holds the event with the greatest (hlc, origin, hash) among its events;
 *     the conflict log names that winner and only losers the rule allows, and drops no unseen concurrent edit;
 *   - a rebuild into a fresh database reproduces every table;
 *   - a purged stream is absent everywhere (API, streams, registers), also after rebuild.
 *
 * Delivery keeps each origin's meta files in HLC order into every bucket (a bucket always holds a prefix of
 * each origin's events). That works around the known gap of ADR 0006: the pull cursor of an origin is the
 * newest event of that origin applied here, so an OLDER event that reaches a target after a newer one was
 * applied is never listed. The test at the end pins that gap with its minimal counterexample.
 */

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 100);
const NAMES = ['desk', 'laptop', 'phone', 'tablet'];
const STREAMS = ['notes', 'log'];
const TITLES = ['Garden', 'Kitchen', 'Ledger'];
const KINDS = ['checkpoints', 'manifests', 'segments', 'meta', 'blobs'];
/** The final phase repeats delivery + sync until a round changes nothing; it must settle within this many. */
const MAX_FINAL_ROUNDS = 5;

type Edit =
  | { op: 'rename'; title: string }
  | { op: 'star' | 'unstar' | 'trash' | 'restore' | 'purge' }
  | { op: 'pin' | 'unpin'; ordinal: number };

type Op =
  | { kind: 'edit'; origin: number; stream: number; edit: Edit }
  | { kind: 'sync'; origin: number }
  /** Copy tool: from one bucket (among those with meta files) to another (offset `to`), or to all (`spread`). */
  | { kind: 'deliver'; from: number; to: number; spread: boolean; fraction: number; seed: number }
  /** Drop the read model and replay the store mid-run. */
  | { kind: 'rebuild'; origin: number }
  /** Collect, in one bucket, the single event files that a pack in that bucket folds (what GC may do). */
  | { kind: 'collect'; bucket: number }
  /** Damage one pack in a bucket holding packs (bit rot, a copy tool's truncation): a byte flipped, or cut short. */
  | { kind: 'damage'; bucket: number; truncate: boolean; seed: number };

const originIx = fc.nat({ max: NAMES.length - 1 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('rename' as const), title: fc.constantFrom(...TITLES) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('star' as const, 'unstar' as const) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('pin' as const, 'unpin' as const), ordinal: fc.constantFrom(0, 1) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('trash' as const, 'restore' as const) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'purge' as const }) }, // about one case in five purges a stream
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('edit' as const), origin: originIx, stream: fc.nat({ max: STREAMS.length - 1 }), edit }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), origin: originIx }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      from: originIx,
      to: fc.nat({ max: NAMES.length - 2 }),
      spread: fc.boolean(),
      fraction: fc.constantFrom(0.25, 0.5, 0.75, 1),
      seed: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebuild' as const), origin: originIx }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('collect' as const), bucket: originIx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('damage' as const), bucket: originIx, truncate: fc.boolean(), seed: fc.nat() }) },
);
const scenario = fc.record({
  origins: fc.integer({ min: 2, max: NAMES.length }),
  creator: originIx,
  streams: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: STREAMS.length }),
  ops: fc.array(op, { minLength: 1, maxLength: 30, size: 'max' }),
  /** Each origin folds its own events into a pack once this many are unpacked (1024: never, here). */
  packEvery: fc.constantFrom(2, 3, 5, 1024),
  /** Damage one pack (if any) right before the final rounds, which must heal it. */
  damageAtEnd: fc.option(fc.record({ bucket: originIx, truncate: fc.boolean(), seed: fc.nat() }), { nil: null }),
});

// ---------------------------------------------------------------------------------------------------------
// The simulated copy tool, over the buckets of memory:// targets.

type Delivery = 'hlc-order' | 'any-order';

/** An origin's meta keys in a bucket, in name order (= HLC order: names start with the fixed-width HLC). */
async function metaKeys(bucket: MemoryTransport): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const o of await bucket.origins()) {
    const keys = await bucket.list(`${o}/meta/`);
    if (keys.length > 0) out.set(o, keys);
  }
  return out;
}

/**
 * Keys of the packs a `damage` op damaged in some bucket in this run. The copy tool copies damage on like
 * anything else (it does not verify), and leaves a name alone where the destination holds other bytes.
 */
const damaged = new Set<string>();

async function copy(from: MemoryTransport, to: MemoryTransport, key: string): Promise<boolean> {
  const bytes = (await from.get(key))!;
  const outcome = await to.putIfAbsent(key, bytes);
  if (outcome === 'conflict' && !damaged.has(key)) throw new Error(`copy tool: ${key} differs between ${from.url} and ${to.url}`);
  return outcome === 'created';
}

function shuffle<T>(xs: T[], rng: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * One partial delivery of meta files from one bucket to another. `any-order`: a random subset of the files,
 * shuffled, with duplicates. `hlc-order`: for each origin, the next few of its files the destination lacks, in
 * HLC order (so the destination keeps a prefix of that origin's events); origins interleaved at random, with
 * duplicates (identical re-copies) after the first copy.
 */
async function deliverOnce(mode: Delivery, from: MemoryTransport, to: MemoryTransport, fraction: number, rng: () => number): Promise<void> {
  const src = await metaKeys(from);
  const queues: string[][] = [];
  for (const keys of src.values()) {
    if (mode === 'any-order') {
      queues.push(...shuffle(keys.filter(() => rng() < fraction), rng).map((k) => [k]));
    } else {
      const missing: string[] = [];
      for (const k of keys) if (!(await to.has(k))) missing.push(k);
      const take = Math.round(missing.length * fraction * rng() * 2);
      queues.push(missing.slice(0, Math.min(missing.length, take)));
    }
  }
  // Interleave the queues at random (each queue keeps its own order), then add a few duplicates.
  const order: string[] = [];
  while (queues.some((q) => q.length > 0)) {
    const open = queues.filter((q) => q.length > 0);
    order.push(open[Math.floor(rng() * open.length)]!.shift()!);
  }
  for (const k of order.filter(() => rng() < 0.15)) {
    // In HLC order a duplicate comes after its first copy (an identical put), never before it.
    const after = mode === 'hlc-order' ? order.indexOf(k) + 1 : 0;
    order.splice(after + Math.floor(rng() * (order.length + 1 - after)), 0, k);
  }
  for (const k of order) await copy(from, to, k);
}

/** Everything to everywhere (each origin's files in HLC order). Returns how many files it wrote. */
async function deliverAll(buckets: readonly MemoryTransport[]): Promise<number> {
  let written = 0;
  for (const from of buckets) {
    for (const keys of (await metaKeys(from)).values()) {
      for (const to of buckets) {
        if (to === from) continue;
        for (const k of keys) if (await copy(from, to, k)) written++;
      }
    }
  }
  return written;
}

const codec = new ZstdNapiCodec();


/** Decode a pack as a bucket holds it (throws when it is damaged). */
async function decodePack(bucket: MemoryTransport, key: string): Promise<ReturnType<typeof decodeMetaPack>> {
  const parsed = parseArtifactKey(key)!;
  if (parsed.ref.kind !== 'metaPack') throw new Error(`${key} is not a pack`);
  const bytes = await codec.decompress((await bucket.get(key))!, maxDecodedBytes('metaPack'));
  return decodeMetaPack(bytes, { origin: parsed.origin, hlc: parsed.ref.hlc, after: parsed.ref.after, hash: parsed.ref.hash });
}

/** The pack keys of a bucket, all origins. */
async function packKeys(bucket: MemoryTransport): Promise<string[]> {
  const keys: string[] = [];
  for (const o of await bucket.origins()) for (const key of await bucket.list(`${o}/meta/`)) if (parseArtifactKey(key)?.ref.kind === 'metaPack') keys.push(key);
  return keys;
}

/**
 * Delete the single event files of a bucket that a verified pack in the same bucket folds: after this, the
 * bucket serves those events only through packs. Returns how many files it removed.
 */
async function collectFolded(bucket: MemoryTransport): Promise<number> {
  let removed = 0;
  const folded = new Set<string>();
  for (const key of await packKeys(bucket)) {
    let pack;
    try {
      pack = await decodePack(bucket, key);
    } catch (err) {
      if (damaged.has(key)) continue; // GC trusts only a pack that verifies
      throw err;
    }
    for (const e of pack.events) folded.add(`${parseArtifactKey(key)!.origin}/meta/${e.stem}.json`);
  }
  for (const key of folded) if (await bucket.delete(key)) removed++;
  return removed;
}

/**
 * Damage one pack in place, in the `pick`-th bucket among those holding packs: one byte flipped, or the file
 * cut short. Returns its key (null when no bucket holds a pack yet).
 */
async function damagePack(buckets: readonly MemoryTransport[], pick: number, truncate: boolean, rng: () => number): Promise<string | null> {
  const holding: { bucket: MemoryTransport; keys: string[] }[] = [];
  for (const b of buckets) {
    const keys = await packKeys(b);
    if (keys.length > 0) holding.push({ bucket: b, keys });
  }
  if (holding.length === 0) return null;
  const { bucket, keys } = holding[pick % holding.length]!;
  const key = keys[Math.floor(rng() * keys.length)]!;
  const bytes = Buffer.from((await bucket.get(key))!);
  if (truncate) {
    await bucket.delete(key);
    await bucket.putIfAbsent(key, bytes.subarray(0, Math.floor(rng() * bytes.length)));
  } else {
    bytes[Math.floor(rng() * bytes.length)] ^= 1 + Math.floor(rng() * 255);
    await bucket.delete(key);
    await bucket.putIfAbsent(key, bytes);
  }
  damaged.add(key);
  return key;
}

/** Every artifact of one bucket into another (used once, to seed the content). */
async function copyBucket(from: MemoryTransport, to: MemoryTransport): Promise<void> {
  for (const o of await from.origins()) for (const kind of KINDS) for (const k of await from.list(`${o}/${kind}/`)) await copy(from, to, k);
}

// ---------------------------------------------------------------------------------------------------------
// Views and models.


interface EventRow {
  hash: string;
  origin: string;
  hlc: string;
  stream: string;
  ordinal: number;
  op: string;
  field: string;
  value: string;
  base: string | null;
  known: number;
}

/** The LWW order key, independently of src: HLC strings are fixed width, so they compare as strings. */
function cmpKey(a: EventRow, b: EventRow): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

const byKey = (a: Record<string, unknown>, b: Record<string, unknown>, cols: string[]): number => {
  for (const c of cols) {
    const x = a[c] as string | number;
    const y = b[c] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * What the rules say about the tables, from the set of events (all targets exist: every replica has all the
 * content, so nothing is deferred). Registers, exactly: per (stream, ordinal, field) of a stream nobody purged,
 * the event with the greatest (hlc, origin, hash). Purge tombstones, exactly: the streams with a purge event.
 * The conflict log, within bounds that hold for both readings of the rule (ADR 0006 at the time of writing:
 * "not in the winner's base chain"; the heads rule being introduced: "only the last edit of a losing line"):
 * every row names the register's winner and a loser from another origin with another value that is not in
 * the winner's base chain (`allowed`), and every head (an event no other event was based on) that is such a
 * loser is logged (`required`): a concurrent edit nobody saw is never dropped.
 */
function check(events: EventRow[], streams: Map<string, number>, registers: Record<string, unknown>[], conflicts: Record<string, unknown>[]): unknown[] {
  const problems: unknown[] = [];
  const known = events.filter((e) => e.known === 1);
  const purged = new Set(known.filter((e) => e.field === 'purged').map((e) => e.stream));
  const groups = new Map<string, EventRow[]>();
  for (const e of known) {
    if (purged.has(e.stream) || e.field === 'purged') continue;
    const entries = streams.get(e.stream);
    if (entries === undefined || e.ordinal >= entries) continue;
    const k = JSON.stringify([e.stream, e.ordinal, e.field]);
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const expected: Record<string, unknown>[] = [];
  const rowsOf = new Map<string, Record<string, unknown>[]>();
  for (const c of conflicts) {
    const k = JSON.stringify([c.stream, c.ordinal, c.field]);
    rowsOf.set(k, [...(rowsOf.get(k) ?? []), c]);
  }
  for (const [k, group] of groups) {
    const winner = group.reduce((w, e) => (cmpKey(e, w) > 0 ? e : w));
    expected.push({ stream: winner.stream, ordinal: winner.ordinal, field: winner.field, value: winner.value, hlc: winner.hlc, origin: winner.origin, hash: winner.hash });
    const byHash = new Map(group.map((e) => [e.hash, e]));
    const chain = new Set<string>();
    for (let at: EventRow | undefined = winner; at?.base && !chain.has(at.base); at = byHash.get(at.base)) chain.add(at.base);
    const bases = new Set(group.map((e) => e.base));
    const loses = (e: EventRow): boolean => e !== winner && e.origin !== winner.origin && e.value !== winner.value;
    const allowed = new Map(group.filter((e) => loses(e) && !chain.has(e.hash)).map((e) => [e.hash, e]));
    const required = group.filter((e) => loses(e) && !bases.has(e.hash)).map((e) => e.hash);
    const rows = rowsOf.get(k) ?? [];
    rowsOf.delete(k);
    for (const r of rows) {
      const l = allowed.get(r.loser as string);
      const want = l && {
        stream: l.stream, ordinal: l.ordinal, field: l.field, loser: l.hash, winner: winner.hash,
        winner_origin: winner.origin, winner_hlc: winner.hlc, winner_value: winner.value,
        loser_origin: l.origin, loser_hlc: l.hlc, loser_value: l.value,
      };
      if (!want || JSON.stringify(want) !== JSON.stringify(Object.fromEntries(Object.keys(want).map((c) => [c, r[c]])))) {
        problems.push({ unexpectedConflict: r, winner, group });
      }
    }
    const logged = new Set(rows.map((r) => r.loser));
    for (const h of required) if (!logged.has(h)) problems.push({ droppedLoser: byHash.get(h), winner, group });
  }
  for (const rows of rowsOf.values()) problems.push({ conflictWithoutRegister: rows });
  expected.sort((a, b) => byKey(a, b, ['stream', 'ordinal', 'field']));
  if (JSON.stringify(expected) !== JSON.stringify(registers)) problems.push({ registers, expected });
  return problems;
}

interface View {
  streams: { id: string; title: string | null; starred: boolean; trashed: boolean; entries: number; pinned: boolean[] }[];
  conflicts: unknown[];
}

function view(c: Cairn): View {
  const streams = c
    .streams({ includeTrashed: true })
    .map((s) => ({
      id: s.id as string,
      title: s.title,
      starred: s.starred,
      trashed: s.trashed,
      entries: s.entries,
      pinned: c.show(s.id, { limit: 1000 }).entries.map((e) => e.pinned),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { streams, conflicts: c.conflicts() };
}

function quarantineOf(c: Cairn): { list(): Promise<{ key: string; source: string }[]> } {
  return (c as unknown as { deps: { quarantine: { list(): Promise<{ key: string; source: string }[]> } } }).deps.quarantine;
}

function summary(r: SyncResult): Record<string, unknown> {
  return { pushed: r.pushed, pulled: r.pulled, events: r.imported.events, entries: r.imported.entries, deferred: r.deferred, quarantined: r.quarantined, failures: r.failures };
}

function toRequest(e: Edit, gid: string): EditRequest {
  switch (e.op) {
    case 'rename':
      return { op: 'rename', stream: gid, value: e.title };
    case 'pin':
    case 'unpin':
      return { op: e.op, stream: gid, ordinal: e.ordinal };
    default:
      return { op: e.op, stream: gid };
  }
}

// ---------------------------------------------------------------------------------------------------------
// One scenario.

interface Scenario {
  origins: number;
  creator: number;
  streams: number[];
  ops: Op[];
  packEvery: number;
  damageAtEnd: { bucket: number; truncate: boolean; seed: number } | null;
}

async function run({ origins: n, creator: creatorIx, streams: sizes, ops, packEvery, damageAtEnd }: Scenario, mode: Delivery): Promise<void> {
  const homes = Array.from({ length: n }, (_, i) => tempHome(NAMES[i], i + 1));
  const targets = homes.map(() => freshTarget());
  const buckets = targets.map((t) => t.bucket);
  const cairns: Cairn[] = [];
  damaged.clear();
  try {
    for (let i = 0; i < n; i++) cairns.push(await openCairn({ home: homes[i]!, clock: steppingClock(), metaPackThreshold: packEvery, metaPackAuditMs: 0 }));
    const ids = cairns.map((c) => c.origin as string);
    const failures: unknown[] = [];
    const sync = async (i: number): Promise<SyncResult> => {
      const r = await cairns[i]!.sync(targets[i]!.url, { create: true });
      // Only what a `damage` op damaged in this origin's bucket may be quarantined; nothing else ever is.
      const stray = r.quarantined === 0 ? [] : (await quarantineOf(cairns[i]!).list()).filter((q) => !(damaged.has(q.key) && q.source === targets[i]!.url));
      if (r.failures.length > 0 || stray.length > 0) failures.push({ origin: ids[i], failures: r.failures, quarantined: stray });
      return r;
    };

    // Setup: one origin creates the streams; its bucket is copied to every bucket; every origin syncs once.
    const creator = cairns[creatorIx % n]!;
    const gids: string[] = [];
    for (let s = 0; s < sizes.length; s++) {
      await creator.append(STREAMS[s]!, Array.from({ length: sizes[s]! }, (_, k) => ({ text: `${STREAMS[s]} entry ${k}` })));
      gids.push(creator.gid(STREAMS[s]!));
    }
    await sync(creatorIx % n);
    for (let i = 0; i < n; i++) if (i !== creatorIx % n) await copyBucket(buckets[creatorIx % n]!, buckets[i]!);
    for (let i = 0; i < n; i++) await sync(i);
    for (let i = 0; i < n; i++) expect({ origin: ids[i], streams: cairns[i]!.streams().length }).toEqual({ origin: ids[i], streams: gids.length });

    // Concurrent edits and random partial delivery.
    let made = 0;
    const purgedByAnyone = new Set<string>();
    for (const o of ops) {
      switch (o.kind) {
        case 'edit': {
          const gid = gids[o.stream % gids.length]!;
          try {
            const { event } = await cairns[o.origin % n]!.meta(toRequest(o.edit, gid));
            if (event !== null) {
              made++;
              if (o.edit.op === 'purge') purgedByAnyone.add(gid);
            }
          } catch (err) {
            if (!isCairnError(err, 'STREAM_NOT_FOUND')) throw err; // purged here already
            expect(purgedByAnyone.has(gid)).toBe(true);
          }
          break;
        }
        case 'sync':
          await sync(o.origin % n);
          break;
        case 'deliver': {
          const rng = mulberry32(o.seed);
          const sources: number[] = [];
          for (let i = 0; i < n; i++) if ((await metaKeys(buckets[i]!)).size > 0) sources.push(i);
          if (sources.length === 0) break;
          const from = sources[o.from % sources.length]!;
          const tos = o.spread ? [...Array(n).keys()].filter((t) => t !== from) : [(from + 1 + (o.to % (n - 1))) % n];
          for (const to of tos) await deliverOnce(mode, buckets[from]!, buckets[to]!, o.fraction, rng);
          break;
        }
        case 'rebuild':
          await cairns[o.origin % n]!.rebuild();
          break;
        case 'collect':
          await collectFolded(buckets[o.bucket % n]!);
          break;
        case 'damage':
          await damagePack(buckets, o.bucket, o.truncate, mulberry32(o.seed));
          break;
      }
    }

    // Buckets serve folded events only through packs from here on; then full delivery + everyone syncs,
    // until a round moves nothing. A damaged pack is healed by the origin of its bucket: removed when it
    // lacks the pack (and copied again from a bucket or its author), replaced when it holds it, by the audit,
    // which visits one listed pack of each origin per sync: healing may take one round per pack an origin has.
    for (const b of buckets) await collectFolded(b);
    if (damageAtEnd) await damagePack(buckets, damageAtEnd.bucket, damageAtEnd.truncate, mulberry32(damageAtEnd.seed));
    const packsPerOrigin = new Map<string, Set<string>>();
    for (const b of buckets) for (const k of await packKeys(b)) packsPerOrigin.set(parseArtifactKey(k)!.origin, new Set([...(packsPerOrigin.get(parseArtifactKey(k)!.origin) ?? []), k]));
    const maxRounds = MAX_FINAL_ROUNDS + (damaged.size > 0 ? Math.max(0, ...[...packsPerOrigin.values()].map((p) => p.size)) : 0);
    const rounds: unknown[] = [];
    let settled = false;
    for (let round = 0; round < maxRounds && !settled; round++) {
      const written = await deliverAll(buckets);
      const results: SyncResult[] = [];
      for (let i = 0; i < n; i++) results.push(await sync(i));
      rounds.push({ written, results: results.map(summary) });
      settled = written === 0 && results.every((r) => r.pushed === 0 && r.pulled === 0 && r.imported.events === 0 && r.imported.entries === 0);
    }
    expect({ settled, rounds }).toMatchObject({ settled: true });
    expect(failures).toEqual([]);
    // No damage is left in any bucket: every pack there verifies.
    for (const b of buckets) for (const k of await packKeys(b)) await expect(decodePack(b, k).then(() => k)).resolves.toBe(k);

    const views = cairns.map(view);
    for (const c of cairns) c.close();
    const dumps = homes.map((home) => dumpReadModel(path.join(home, 'cairn.db')));
    const ledger = (d: Record<string, unknown[]>): Record<string, unknown[]> => ({
      registers: d.registers!,
      conflicts: d.conflicts!,
      purged: d.purged!,
      events: (d.meta_events as EventRow[]).map((e) => `${e.hlc} ${e.origin} ${e.field}#${e.ordinal}=${e.value}`).sort(),
    });

    // 1. Every replica has the identical registers, conflict log and tombstones, from the same events.
    for (let i = 1; i < n; i++) expect({ origin: ids[i], ledger: ledger(dumps[i]!) }).toEqual({ origin: ids[i], ledger: ledger(dumps[0]!) });
    // ...and shows the same titles, stars, trash, pins and conflicts; purged streams are gone, the others here.
    const alive = gids.filter((g) => !purgedByAnyone.has(g)).sort();
    for (let i = 0; i < n; i++) {
      expect({ origin: ids[i], streams: views[i]!.streams.map((s) => s.id) }).toEqual({ origin: ids[i], streams: alive });
      if (i > 0) expect({ origin: ids[i], view: views[i] }).toEqual({ origin: ids[i], view: views[0] });
    }

    for (let i = 0; i < n; i++) {
      const d = dumps[i]!;
      const events = d.meta_events as EventRow[];
      const streams = new Map((d.streams as { gid: string; entries: number }[]).map((s) => [s.gid, s.entries]));
      // 2. No edit is lost; each register holds its max-order-key event; the conflict log follows the rule.
      expect({ origin: ids[i], events: events.length }).toEqual({ origin: ids[i], events: made });
      expect({ origin: ids[i], problems: check(events, streams, d.registers as Record<string, unknown>[], d.conflicts as Record<string, unknown>[]) }).toEqual({ origin: ids[i], problems: [] });
      // 4. Purge never resurrects: tombstoned, and no stream row, entries or registers.
      expect({ origin: ids[i], purged: d.purged }).toEqual({ origin: ids[i], purged: [...purgedByAnyone].sort().map((stream) => ({ stream })) });
      expect({ origin: ids[i], streams: [...streams.keys()].sort() }).toEqual({ origin: ids[i], streams: alive });
      const leftovers = [...(d.entries as { gid: string }[]), ...(d.registers as { stream: string }[]), ...(d.conflicts as { stream: string }[])]
        .filter((r) => purgedByAnyone.has('gid' in r ? r.gid : r.stream));
      expect({ origin: ids[i], leftovers }).toEqual({ origin: ids[i], leftovers: [] });
      // And the databases are identical, table by table.
      if (i > 0) expect({ origin: ids[i], tables: d }).toEqual({ origin: ids[i], tables: dumps[0] });

      // 3. Rebuild into a fresh database file reproduces every table (registers, conflicts, purged included).
      const fresh = path.join(homes[i]!, 'rebuilt.db');
      const rebuilt = await openCairn({ home: homes[i]!, clock: steppingClock(), database: fresh, skipCatchUp: true });
      try {
        await rebuilt.rebuild();
        expect({ origin: ids[i], rebuiltStreams: rebuilt.streams({ includeTrashed: true }).map((s) => s.id as string).sort() }).toEqual({ origin: ids[i], rebuiltStreams: alive });
      } finally {
        rebuilt.close();
      }
      expect({ origin: ids[i], rebuilt: dumpReadModel(fresh) }).toEqual({ origin: ids[i], rebuilt: d });
    }
  } finally {
    for (const c of cairns) c.close();
    for (const b of buckets) for (const o of await b.origins()) for (const kind of KINDS) for (const k of await b.list(`${o}/${kind}/`)) await b.delete(k);
    removeTempDirs();
  }
}

afterAll(removeTempDirs);

describe('metadata ledger: last writer wins under random delivery (property)', () => {
  it(`replicas agree on every register, the conflict log and purges, and rebuild reproduces them (${RUNS} runs)`, async () => {
    await fc.assert(
      // Any order: an older event that reaches a bucket after a newer one of its origin was applied is found
      // through the newer one's `prev` (this property found that gap before the chain existed).
      fc.asyncProperty(scenario, (s) => run(s, 'any-order')),
      { numRuns: RUNS },
    );
  }, 240_000); // a guard against a hang, not a timing: 100 runs take 30-50 s on a loaded 2-core machine
});

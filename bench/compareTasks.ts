/**
 * The measurements of bench/compare.ts. Each task runs in its own child process (so its peak RSS is its own),
 * generates the seeded corpus before its clock starts, and loads only the libraries it measures.
 *
 * "Time to a queryable replica" runs from the corpus in memory on origin A to the moment both other replicas
 * (B and C) hold all of it in the form they answer queries from. "Bytes transferred" are the bytes delivered
 * to the two receiving replicas (what B and C each fetched, added up): the same definition for every system.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Json } from '../src';
import { BACKSTOP_PAGES, WalCheckpointer } from '../src/infrastructure/sqlite/WalCheckpointer';
import { corpus } from './corpus';
import { fsyncDir, groupedCorpus, listFiles, median, since, sizeByKind, stringsOf, timed, writeDurable, type Body } from './benchUtil';
import { mergeSummaries, profileRegion, type ProfileSummary } from './profile';

export interface TaskParams {
  readonly n: number;
  readonly streams: number;
  readonly seed: number;
  readonly targetBytes: number;
  /** Working directory shared by the phases of one run (origin, replicas). */
  readonly dir?: string;
  /** Replica name, for the `cairn-replica` task. */
  readonly name?: string;
  /** Size of the archive of the `cairn-archive` task. */
  readonly archive?: number;
  /** Write a CPU profile of the measured region to this file. */
  readonly profile?: string;
  /** For `cairn-archive`: which region to profile (`noop` or `increment`). */
  readonly profileRegion?: string;
  /** For `cairn-origin`: export after every this many entries (a diagnostic for memory), instead of once. */
  readonly exportEvery?: number;
  /** bare only: checkpoint the WAL on a second thread as cairn's read model does (a reference, not the pipeline). */
  readonly bgCheckpoint?: boolean;
}

export interface TaskResult {
  readonly [key: string]: unknown;
  readonly profile?: ProfileSummary;
}

type Zstd = { compress(b: Uint8Array, p?: { compressionLevel?: number }): Buffer; decompress(b: Uint8Array): Buffer };
const ENTRIES_PER_FILE = 4096; // cairn's LIMITS.maxSegmentEntries: the bare pipeline cuts files the same way
const APPEND_BATCH = 1000;
const FTS_BATCH = 1000;

/** Run `fn` (the measured region) under the profiler when the task was asked for a profile. */
async function region<T>(p: TaskParams, name: string, fn: () => Promise<T>): Promise<[T, ProfileSummary | undefined]> {
  if (!p.profile || (p.profileRegion && p.profileRegion !== name)) return [await fn(), undefined];
  return profileRegion(p.profile, fn);
}

function tmp(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cairn-compare-${label}-`));
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const ms = (x: number): number => Math.round(x);

/** Harness floor: node + the corpus in memory, nothing measured. Its peak RSS is what every task carries. */
export async function floor(p: TaskParams): Promise<TaskResult> {
  const data = groupedCorpus(p.n, p.streams, p.seed, p.targetBytes);
  const ts = new Date().toISOString();
  let ndjson = 0;
  let entries = 0;
  for (const bodies of data.values()) {
    bodies.forEach((body, ordinal) => (ndjson += Buffer.byteLength(JSON.stringify({ body, ordinal, ts })) + 1));
    entries += bodies.length;
  }
  const bodyBytes = sum([...data.values()].flat().map((b) => Buffer.byteLength(JSON.stringify(b))));
  return { entries, streams: data.size, ndjsonBytes: ndjson, meanLineBytes: Math.round(ndjson / entries), meanBodyBytes: Math.round(bodyBytes / entries) };
}

/**
 * The bare pipeline, with no cairn code: on A, NDJSON → zstd level 3 → SHA-256 → one fsynced file per run of
 * 4,096 entries of a stream; then for each of B and C: copy the files into its own directory (fsync), read
 * them back, decompress, verify the hash, parse, and insert into SQLite (WAL, synchronous=NORMAL, as cairn's
 * read model) with an FTS5 index of every string of the body, in 1,000-row transactions.
 */
export async function bare(p: TaskParams): Promise<TaskResult> {
  const zstd = require('zstd-napi') as Zstd;
  const Database = (await import('better-sqlite3')).default;
  const data = groupedCorpus(p.n, p.streams, p.seed, p.targetBytes);
  const root = tmp('bare');
  try {
    const dirA = path.join(root, 'a');
    fs.mkdirSync(dirA);
    const replicas = ['b', 'c'].map((name) => {
      const dir = path.join(root, name, 'files');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(root, name, 'replica.db');
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const checkpointer = p.bgCheckpoint ? new WalCheckpointer(file) : null;
      if (checkpointer) db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
      db.exec(
        'CREATE TABLE entries (gid TEXT NOT NULL, ordinal INTEGER NOT NULL, ts TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (gid, ordinal)) WITHOUT ROWID;' +
          "CREATE VIRTUAL TABLE entries_fts USING fts5(text, gid UNINDEXED, ordinal UNINDEXED, tokenize = 'unicode61');",
      );
      const ins = db.prepare('INSERT INTO entries (gid, ordinal, ts, body) VALUES (?, ?, ?, ?)');
      const fts = db.prepare('INSERT INTO entries_fts (text, gid, ordinal) VALUES (?, ?, ?)');
      type Row = [string, number, string, string, string];
      const insert = db.transaction((rows: Row[]) => {
        for (const r of rows) {
          ins.run(r[0], r[1], r[2], r[3]);
          fts.run(r[4], r[0], r[1]);
        }
      });
      const flush = (rows: Row[]): void => {
        insert(rows);
        checkpointer?.committed();
      };
      return { name, dir, db, flush, checkpointer };
    });
    const ts = new Date().toISOString();
    const t = { writeA: 0, copy: 0, decode: 0, sqlite: 0 };
    let ndjsonBytes = 0;
    let storedBytes = 0;
    let delivered = 0;
    const [totalMs, profile] = await region(p, 'bare', async () => {
      const t0 = process.hrtime.bigint();
      for (const [stream, bodies] of data) {
        for (let i = 0; i < bodies.length; i += ENTRIES_PER_FILE) {
          let text = '';
          const end = Math.min(bodies.length, i + ENTRIES_PER_FILE);
          for (let o = i; o < end; o++) text += `${JSON.stringify({ ordinal: o, ts, body: bodies[o] })}\n`;
          const raw = Buffer.from(text, 'utf8');
          const hash = createHash('sha256').update(raw).digest('hex');
          const z = zstd.compress(raw, { compressionLevel: 3 });
          writeDurable(path.join(dirA, `${stream}.${i}.${hash}.ndjson.zst`), z);
          ndjsonBytes += raw.length;
          storedBytes += z.length;
        }
      }
      fsyncDir(dirA);
      t.writeA = since(t0);
      for (const r of replicas) {
        let t1 = process.hrtime.bigint();
        for (const f of fs.readdirSync(dirA)) {
          const bytes = fs.readFileSync(path.join(dirA, f));
          writeDurable(path.join(r.dir, f), bytes);
          delivered += bytes.length;
        }
        fsyncDir(r.dir);
        t.copy += since(t1);
        t1 = process.hrtime.bigint();
        let rows: [string, number, string, string, string][] = [];
        let sqliteNs = 0n;
        const flush = (): void => {
          const s = process.hrtime.bigint();
          r.flush(rows);
          sqliteNs += process.hrtime.bigint() - s;
          rows = [];
        };
        for (const f of fs.readdirSync(r.dir).sort()) {
          const [stream, , hash] = f.split('.');
          const raw = zstd.decompress(fs.readFileSync(path.join(r.dir, f)));
          if (createHash('sha256').update(raw).digest('hex') !== hash) throw new Error(`bare: ${f} fails verification`);
          const lines = raw.toString('utf8').split('\n');
          for (const line of lines) {
            if (!line) continue;
            const e = JSON.parse(line) as { ordinal: number; ts: string; body: Body };
            rows.push([stream!, e.ordinal, e.ts, JSON.stringify(e.body), stringsOf(e.body).join(' ')]);
            if (rows.length === FTS_BATCH) flush();
          }
        }
        if (rows.length > 0) flush();
        const importMs = since(t1);
        t.sqlite += Number(sqliteNs) / 1e6;
        t.decode += importMs - Number(sqliteNs) / 1e6;
      }
      return since(t0);
    });
    const checks = replicas.map((r) => ({
      entries: (r.db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n,
      hits: (r.db.prepare("SELECT COUNT(*) AS n FROM entries_fts WHERE entries_fts MATCH '\"garlic\"'").get() as { n: number }).n,
    }));
    for (const r of replicas) {
      void r.checkpointer?.stop();
      r.db.close();
    }
    if (checks.some((c) => c.entries !== p.n)) throw new Error(`bare: a replica holds ${JSON.stringify(checks)} entries, expected ${p.n}`);
    return {
      entries: p.n,
      timeMs: ms(totalMs),
      bytes: delivered,
      ndjsonBytes,
      storedBytes,
      compressionRatio: +(ndjsonBytes / storedBytes).toFixed(2),
      files: fs.readdirSync(dirA).length,
      phasesMs: { writeA: ms(t.writeA), copyToReplicas: ms(t.copy), decompressVerifyParse: ms(t.decode), sqliteInsert: ms(t.sqlite) },
      searchHits: checks[0]!.hits,
      profile,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * cairn, one process: append (1,000-entry batches per stream) and export on A, sync A → shared folder, then
 * B and C each sync from the folder (pull, verify, import into their read model). Homes are created and opened
 * before the clock starts.
 */
export async function cairn(p: TaskParams): Promise<TaskResult> {
  const { initHome, openCairn, systemClock, systemRandom } = await import('../src');
  const data = groupedCorpus(p.n, p.streams, p.seed, p.targetBytes);
  const root = tmp('cairn');
  try {
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((name) => {
        initHome(path.join(root, name), { name }, systemClock, systemRandom);
        return openCairn({ home: path.join(root, name) });
      }),
    );
    const t: Record<string, number> = {};
    const phaseProfiles: Record<string, ProfileSummary> = {};
    // Each phase is timed (and, when asked, profiled) on its own.
    const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t1 = process.hrtime.bigint();
      if (!p.profile) {
        const out = await fn();
        t[name] = since(t1);
        return out;
      }
      const [out, summary] = await profileRegion(p.profile.replace(/\.cpuprofile$/, `-${name}.cpuprofile`), fn);
      t[name] = since(t1);
      phaseProfiles[name] = summary;
      return out;
    };
    const t0 = process.hrtime.bigint();
    await phase('appendA', async () => {
      for (const [s, bodies] of data) for (let i = 0; i < bodies.length; i += APPEND_BATCH) await a!.append(s, bodies.slice(i, i + APPEND_BATCH) as unknown as Json[]);
    });
    const exp = await phase('exportA', () => a!.export());
    const push = await phase('pushA', () => a!.sync(shared));
    const syncB = await phase('syncB', () => b!.sync(shared));
    const syncC = await phase('syncC', () => c!.sync(shared));
    const r = { totalMs: since(t0), exp, push, syncB, syncC };
    const profile = p.profile ? mergeSummaries(Object.values(phaseProfiles), p.profile.replace(/\.cpuprofile$/, '-<phase>.cpuprofile')) : undefined;
    const held = (x: typeof b) => sum(x!.streams().filter((s) => s.origin === a!.origin).map((s) => s.entries));
    const checks = [b, c].map((x) => ({ entries: held(x), hits: x!.search('garlic', { limit: 10 }).length }));
    if (checks.some((x) => x.entries !== p.n)) throw new Error(`cairn: replicas hold ${JSON.stringify(checks)}, expected ${p.n}`);
    const folder = sizeByKind(shared);
    const atB = sizeByKind(path.join(root, 'b', 'artifacts', a!.origin));
    const out = {
      entries: p.n,
      timeMs: ms(r.totalMs),
      bytes: r.syncB.bytes.pulled + r.syncC.bytes.pulled,
      pushedBytes: r.push.bytes.pushed,
      exportedBytes: r.exp.bytes,
      artifacts: { pushed: r.push.pushed, pulledByB: r.syncB.pulled, pulledByC: r.syncC.pulled },
      onDisk: { folder, replicaB: atB },
      imported: { b: r.syncB.imported.entries, c: r.syncC.imported.entries },
      phasesMs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ms(v)])),
      searchHits: checks[0]!.hits,
      profile,
      ...(p.profile ? { phaseProfiles } : {}),
    };
    for (const x of [a, b, c]) x!.close();
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Yjs: one Y.Doc per stream, entries pushed to a Y.Array (1,000 per push), encodeStateAsUpdate → applyUpdate on B and C. */
export async function yjs(p: TaskParams): Promise<TaskResult> {
  const Y = await import('yjs');
  const data = groupedCorpus(p.n, p.streams, p.seed, p.targetBytes);
  const t: Record<string, number> = {};
  let bytes = 0;
  const replicas: InstanceType<typeof Y.Doc>[] = [];
  const [totalMs, profile] = await region(p, 'yjs', async () => {
    const t0 = process.hrtime.bigint();
    const docs: InstanceType<typeof Y.Doc>[] = [];
    for (const bodies of data.values()) {
      const doc = new Y.Doc();
      const arr = doc.getArray<Body>('entries');
      for (let i = 0; i < bodies.length; i += APPEND_BATCH) arr.push(bodies.slice(i, i + APPEND_BATCH));
      docs.push(doc);
    }
    t.buildA = since(t0);
    let t1 = process.hrtime.bigint();
    const updates = docs.map((d) => Y.encodeStateAsUpdate(d));
    t.encode = since(t1);
    t1 = process.hrtime.bigint();
    for (let r = 0; r < 2; r++) {
      for (const u of updates) {
        const d = new Y.Doc();
        Y.applyUpdate(d, u);
        replicas.push(d);
        bytes += u.length;
      }
    }
    t.applyBC = since(t1);
    return since(t0);
  });
  const held = sum(replicas.map((d) => d.getArray('entries').length));
  if (held !== 2 * p.n) throw new Error(`yjs: replicas hold ${held} entries, expected ${2 * p.n}`);
  return { entries: p.n, timeMs: ms(totalMs), bytes, phasesMs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ms(v)])), profile };
}

/**
 * Automerge: one doc per stream, one change per 1,000 entries, save → load on B and C. With `text: false`
 * every string is an ImmutableString (the fast representation); with `text: true` strings are Automerge's
 * default collaborative text.
 */
export async function automerge(p: TaskParams & { text?: boolean }): Promise<TaskResult> {
  const A = await import('@automerge/automerge');
  const data = groupedCorpus(p.n, p.streams, p.seed, p.targetBytes);
  const S = (s: string): unknown => (p.text ? s : new A.ImmutableString(s));
  const convert = (b: Body): Record<string, unknown> => {
    const o: Record<string, unknown> = { id: S(b.id), at: S(b.at), author: S(b.author), text: S(b.text), tags: b.tags.map(S) };
    if (b.code !== undefined) o.code = S(b.code);
    return o;
  };
  type Doc = { entries: unknown[] };
  const t: Record<string, number> = {};
  let bytes = 0;
  let held = 0;
  const [totalMs, profile] = await region(p, 'automerge', async () => {
    const t0 = process.hrtime.bigint();
    const saved: Uint8Array[] = [];
    let buildNs = 0n;
    let saveNs = 0n;
    for (const bodies of data.values()) {
      let s = process.hrtime.bigint();
      let doc = A.change(A.init<Doc>(), (d) => {
        d.entries = [];
      });
      for (let i = 0; i < bodies.length; i += APPEND_BATCH) {
        const chunk = bodies.slice(i, i + APPEND_BATCH);
        doc = A.change(doc, (d) => {
          for (const b of chunk) d.entries.push(convert(b));
        });
      }
      buildNs += process.hrtime.bigint() - s;
      s = process.hrtime.bigint();
      saved.push(A.save(doc));
      saveNs += process.hrtime.bigint() - s;
    }
    t.buildA = Number(buildNs) / 1e6;
    t.save = Number(saveNs) / 1e6;
    const t1 = process.hrtime.bigint();
    for (let r = 0; r < 2; r++) {
      for (const bin of saved) {
        const doc = A.load<Doc>(bin);
        held += doc.entries.length;
        bytes += bin.length;
      }
    }
    t.loadBC = since(t1);
    return since(t0);
  });
  if (held !== 2 * p.n) throw new Error(`automerge: replicas hold ${held} entries, expected ${2 * p.n}`);
  return { entries: p.n, strings: p.text ? 'text' : 'ImmutableString', timeMs: ms(totalMs), bytes, phasesMs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ms(v)])), profile };
}

/** Append the corpus as it is generated (never all of it in memory): 1,000-entry batches per stream. */
async function appendStreaming(
  a: { append(s: string, b: Json[]): Promise<unknown> },
  p: TaskParams,
  n: number,
  afterBatch?: (appended: number) => Promise<void>,
): Promise<number> {
  const buffers = new Map<string, Body[]>();
  let appendNs = 0n;
  let appended = 0;
  const flush = async (s: string, bodies: Body[]): Promise<void> => {
    const t = process.hrtime.bigint();
    await a.append(s, bodies as unknown as Json[]);
    appended += bodies.length;
    if (afterBatch) await afterBatch(appended);
    appendNs += process.hrtime.bigint() - t;
  };
  for (const e of corpus(n, p.streams, p.seed, p.targetBytes)) {
    let buf = buffers.get(e.stream);
    if (!buf) buffers.set(e.stream, (buf = []));
    buf.push(e.body);
    if (buf.length === APPEND_BATCH) {
      buffers.set(e.stream, []);
      await flush(e.stream, buf);
    }
  }
  for (const [s, buf] of [...buffers.entries()].sort()) if (buf.length > 0) await flush(s, buf);
  return Number(appendNs) / 1e6;
}

/**
 * The origin phase of a scaling run (its own process): append the corpus as it is generated (time counted
 * inside `append` only, so generating the corpus is not measured), export, push to `<dir>/shared`.
 */
export async function cairnOrigin(p: TaskParams): Promise<TaskResult> {
  const { initHome, openCairn, systemClock, systemRandom } = await import('../src');
  const dir = p.dir!;
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared, { recursive: true });
  initHome(path.join(dir, 'a'), { name: 'a' }, systemClock, systemRandom);
  const a = await openCairn({ home: path.join(dir, 'a') });
  let exportedAt = 0;
  const every = p.exportEvery;
  const [r, profile] = await region(p, 'origin', async () => {
    const appendMs = await appendStreaming(
      a,
      p,
      p.n,
      every
        ? async (appended) => {
            if (appended - exportedAt >= every) (await a.export(), (exportedAt = appended));
          }
        : undefined,
    );
    const mem = (): { rssMB: number; heapUsedMB: number; peakRssMB: number } => {
      const u = process.memoryUsage();
      return { rssMB: Math.round(u.rss / 2 ** 20), heapUsedMB: Math.round(u.heapUsed / 2 ** 20), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
    };
    const memory: Record<string, ReturnType<typeof mem>> = { afterAppend: mem() };
    const [exp, exportMs] = await timed(() => a.export());
    memory.afterExport = mem();
    const [push, pushMs] = await timed(() => a.sync(shared));
    memory.afterPush = mem();
    return { appendMs, exportMs, pushMs, exp, push, memory };
  });
  a.close();
  return {
    entries: p.n,
    timeMs: ms(r.appendMs + r.exportMs + r.pushMs),
    phasesMs: { [every ? `appendA (with an export every ${every})` : 'appendA']: ms(r.appendMs), exportA: ms(r.exportMs), pushA: ms(r.pushMs) },
    pushedBytes: r.push.bytes.pushed,
    segments: r.exp.segments,
    memory: r.memory,
    profile,
  };
}

/** A receiving replica of a scaling run (its own process): a fresh home syncs from `<dir>/shared`. */
export async function cairnReplica(p: TaskParams): Promise<TaskResult> {
  const { initHome, openCairn, systemClock, systemRandom } = await import('../src');
  const home = path.join(p.dir!, p.name!);
  initHome(home, { name: p.name! }, systemClock, systemRandom);
  const x = await openCairn({ home });
  const [[r, syncMs], profile] = await region(p, 'replica', () => timed(() => x.sync(path.join(p.dir!, 'shared'))));
  const held = sum(x.streams().filter((s) => s.origin !== x.origin).map((s) => s.entries));
  x.close();
  if (held !== p.n) throw new Error(`cairn replica ${p.name} holds ${held} entries, expected ${p.n}`);
  return { entries: p.n, timeMs: ms(syncMs), bytes: r.bytes.pulled, artifacts: r.pulled, profile };
}

/**
 * An archive of `archive` entries on A, synced to B through a folder; then the cost of a no-op sync (on B,
 * and on A), and of an increment: 100 entries appended to a large stream, pushed by A and pulled by B.
 */
export async function cairnArchive(p: TaskParams): Promise<TaskResult> {
  const { initHome, openCairn, systemClock, systemRandom } = await import('../src');
  const zstd = require('zstd-napi') as Zstd;
  const n = p.archive ?? 100_000;
  const root = tmp('archive');
  try {
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    const [a, b] = await Promise.all(
      ['a', 'b'].map((name) => {
        initHome(path.join(root, name), { name }, systemClock, systemRandom);
        return openCairn({ home: path.join(root, name) });
      }),
    );
    await appendStreaming(a!, p, n);
    const [, initialPushMs] = await timed(() => a!.sync(shared));
    const [initial, initialPullMs] = await timed(() => b!.sync(shared));
    if (initial.imported.entries !== n) throw new Error(`archive: B imported ${initial.imported.entries}, expected ${n}`);

    // No-op syncs: nothing changed anywhere.
    const noop = { b: [] as number[], a: [] as number[] };
    let noopTransfer = 0;
    const [, noopProfile] = await region(p, 'noop', async () => {
      for (let i = 0; i < 9; i++) {
        const [rb, tb] = await timed(() => b!.sync(shared));
        const [ra, ta] = await timed(() => a!.sync(shared));
        noop.b.push(tb);
        noop.a.push(ta);
        noopTransfer += rb.bytes.pulled + rb.bytes.pushed + ra.bytes.pulled + ra.bytes.pushed;
      }
    });

    // Increment: 100 new entries on the largest stream.
    const large = a!.streams().filter((s) => s.origin === a!.origin).sort((x, y) => y.entries - x.entries)[0]!;
    const extra = [...corpus(100, 1, p.seed + 1, p.targetBytes)].map((e) => e.body);
    const before = sizeByKind(shared);
    const [inc, incProfile] = await region(p, 'increment', async () => {
      const [, appendMs] = await timed(() => a!.append(large.stream, extra as unknown as Json[]));
      const [push, pushMs] = await timed(() => a!.sync(shared));
      const [pull, pullMs] = await timed(() => b!.sync(shared));
      return { appendMs, push, pushMs, pull, pullMs };
    });
    const after = sizeByKind(shared);
    const delta = Object.fromEntries(Object.keys(after.byKind).map((k) => [k, after.byKind[k]! - (before.byKind[k] ?? 0)]).filter(([, v]) => v !== 0));
    // The compressed size of those entries: their NDJSON lines, zstd level 3, as one frame.
    const ts = new Date().toISOString();
    const lines = extra.map((body, i) => `${JSON.stringify({ body, ordinal: large.entries + i, ts })}\n`).join('');
    const compressed = zstd.compress(Buffer.from(lines), { compressionLevel: 3 }).length;
    const archiveFiles = listFiles(path.join(root, 'b', 'artifacts')).length;
    for (const x of [a, b]) x!.close();
    return {
      entries: n,
      archiveFiles,
      initial: { pushMs: ms(initialPushMs), pullMs: ms(initialPullMs), bytes: initial.bytes.pulled },
      noop: {
        runs: noop.b.length,
        replicaMedianMs: +median(noop.b).toFixed(1),
        replicaMaxMs: +Math.max(...noop.b).toFixed(1),
        originMedianMs: +median(noop.a).toFixed(1),
        originMaxMs: +Math.max(...noop.a).toFixed(1),
        bytesTransferred: noopTransfer,
      },
      increment: {
        stream: large.stream,
        streamEntries: large.entries,
        appendMs: +inc.appendMs.toFixed(1),
        pushMs: +inc.pushMs.toFixed(1),
        pullMs: +inc.pullMs.toFixed(1),
        timeMs: +(inc.appendMs + inc.pushMs + inc.pullMs).toFixed(1),
        pushedBytes: inc.push.bytes.pushed,
        pulledBytes: inc.pull.bytes.pulled,
        pushedArtifacts: inc.push.pushed,
        folderDeltaByKind: delta,
        entriesImported: inc.pull.imported.entries,
        compressedEntriesBytes: compressed,
        ratio: +(Math.max(inc.push.bytes.pushed, inc.pull.bytes.pulled) / compressed).toFixed(2),
      },
      profile: noopProfile ?? incProfile,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const TASKS: Record<string, (p: TaskParams & { text?: boolean }) => Promise<TaskResult>> = {
  floor,
  bare,
  cairn,
  yjs,
  automerge,
  'cairn-origin': cairnOrigin,
  'cairn-replica': cairnReplica,
  'cairn-archive': cairnArchive,
};

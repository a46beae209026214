import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Cairn } from '../../src/application/Cairn';
import type { SyncResult } from '../../src/application/usecases/SyncWithTarget';
import { canonicalize, type Json } from '../../src/domain';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { mulberry32 } from '../../src/testing/prng';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';
import { dumpReadModel } from '../helpers/readModelDump';

/**
 * Convergence over dumb folders. Every origin syncs only with its OWN folder; a simulated copy tool
 * (Syncthing, rsync, Dropbox) moves files between the folders: random subsets in random order, duplicates,
 * interrupted copies (a truncated prefix under the final name, or a partial dot-prefixed temp file that must
 * be ignored) and late arrival (copies held in flight and written at a later step). After a final phase in
 * which the copy tool delivers everything (healing truncated copies) and every origin syncs, all read models
 * must be equal, each must equal a rebuild, a further sync must change nothing, and nothing appended may be lost.
 */

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 100);
const MAX_ORIGINS = 5;
const NAMES = ['desk', 'laptop', 'phone', 'tablet', 'server'];
const STREAMS = ['notes', 'log', 'a.b', 'X-1'];
const WORDS = ['garlic', 'tomato', 'river', 'stone', 'cairn', 'über', '東京', 'zstd'];
const SEARCHED = ['garlic', 'river', 'über', '東京', 'stone cairn'];
/** The final phase repeats delivery + sync until a round changes nothing; it must settle within this many. */
const MAX_FINAL_ROUNDS = 4;

type Op =
  | { kind: 'append'; origin: number; stream: string; bodies: Json[] }
  | { kind: 'export'; origin: number }
  | { kind: 'sync'; origin: number }
  | { kind: 'syncAll' }
  /** Drop the read model and replay the store mid-run (sync cursors and positions start again from the store). */
  | { kind: 'rebuild'; origin: number }
  /** Close and open again (a new process: caches start cold, the read model catches up on open). */
  | { kind: 'reopen'; origin: number }
  /**
   * `from` picks among the folders that hold files; `to` is an offset from it (never the same folder);
   * `spread` delivers to every other folder instead.
   */
  | { kind: 'deliver'; from: number; to: number; spread: boolean; fraction: number; truncateSome: boolean; hold: boolean; seed: number };

const word = fc.constantFrom(...WORDS);
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const body: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ text: words, n: fc.integer({ min: -1000, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.array(word, { maxLength: 3 }) },
  { weight: 1, arbitrary: word },
  { weight: 1, arbitrary: fc.record({ note: fc.record({ tags: fc.array(word, { maxLength: 2 }), done: fc.boolean() }), text: words }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
);
const originIx = fc.nat({ max: MAX_ORIGINS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), origin: originIx, stream: fc.constantFrom(...STREAMS), bodies: fc.array(body, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('export' as const), origin: originIx }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), origin: originIx }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'syncAll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebuild' as const), origin: originIx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), origin: originIx }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      from: originIx,
      to: fc.nat({ max: MAX_ORIGINS - 2 }),
      spread: fc.boolean(),
      fraction: fc.constantFrom(0.25, 0.5, 0.75, 1),
      truncateSome: fc.boolean(),
      hold: fc.boolean(),
      seed: fc.nat(),
    }),
  },
);
const scenario = fc.record({ origins: fc.integer({ min: 2, max: MAX_ORIGINS }), ops: fc.array(op, { minLength: 3, maxLength: 20, size: 'max' }) });

// ---------------------------------------------------------------------------------------------------------
// The simulated copy tool.

interface InFlight {
  readonly to: number;
  readonly rel: string;
  readonly bytes: Buffer;
}

/** Every file under a folder, as `/`-separated relative paths; dot files (other tools' temp files) are skipped. */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      if (d.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(path.join(dir, d.name), childRel);
      else if (d.isFile()) out.push(childRel);
    }
  };
  walk(root, '');
  return out.sort();
}

function readOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

class CopyTool {
  /** The one true content of every artifact name ever seen (artifacts are immutable: one content per name). */
  private readonly truth = new Map<string, Buffer>();
  private inFlight: InFlight[] = [];
  private tempCounter = 0;

  constructor(private readonly folders: readonly string[]) {}

  /** Files cairn wrote itself are always complete: learn their content the first time they are seen. */
  private learn(folder: string): string[] {
    const rels = listFiles(folder);
    for (const rel of rels) {
      if (!this.truth.has(rel)) this.truth.set(rel, fs.readFileSync(path.join(folder, rel)));
    }
    return rels;
  }

  /**
   * Write a copy. Never clobbers a complete file (a real tool skips identical files and publishes through a
   * temp file + rename); may be interrupted, leaving a prefix under the final name or a dot-prefixed temp file.
   */
  private place(to: number, rel: string, bytes: Buffer, rng: () => number, truncate: boolean): void {
    const dest = path.join(this.folders[to]!, rel);
    const good = this.truth.get(rel)!;
    const existing = readOrNull(dest);
    if (existing && existing.equals(good)) {
      if (bytes.equals(good)) fs.writeFileSync(dest, bytes); // a duplicate delivery of the same bytes
      return;
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (truncate && rng() < 0.4) {
      // Boundaries included: an empty file, one byte, all but the last byte (a JSON artifact without its `\n`).
      const cut = [0, 1, bytes.length - 1][Math.floor(rng() * 6)] ?? Math.floor(rng() * bytes.length);
      const prefix = bytes.subarray(0, Math.max(0, cut));
      if (rng() < 0.5) {
        fs.writeFileSync(dest, prefix); // an interrupted in-place copy under the final name
      } else {
        // An interrupted copy through a temp file (rsync `.name.XXXXXX`, Syncthing `.syncthing.name.tmp`).
        const base = path.basename(dest);
        const tmp = rng() < 0.5 ? `.${base}.${(this.tempCounter++).toString(36)}` : `.syncthing.${base}.tmp`;
        fs.writeFileSync(path.join(path.dirname(dest), tmp), prefix);
      }
      return;
    }
    fs.writeFileSync(dest, bytes);
  }

  /** One random, partial, possibly interrupted delivery from one folder to another. */
  deliver(o: Extract<Op, { kind: 'deliver' }>, n: number): void {
    const rng = mulberry32(o.seed);
    // Copies held back by earlier deliveries arrive late, in any order.
    const still: InFlight[] = [];
    for (const f of this.inFlight) {
      if (rng() < 0.5) this.place(f.to, f.rel, f.bytes, rng, o.truncateSome);
      else still.push(f);
    }
    this.inFlight = still;
    // The tool only has work where there are files: pick the source among the folders that hold some.
    const sources = [...Array(n).keys()].filter((i) => listFiles(this.folders[i]!).length > 0);
    if (sources.length === 0) return;
    const from = sources[o.from % sources.length]!;
    const rels = this.learn(this.folders[from]!);
    const targets = o.spread ? [...Array(n).keys()].filter((t) => t !== from) : [(from + 1 + (o.to % (n - 1))) % n];
    for (const to of targets) {
      const chosen = rels.filter(() => rng() < o.fraction);
      // Random order, with duplicates.
      const order = [...chosen, ...chosen.filter(() => rng() < 0.15)];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const rel of order) {
        const bytes = fs.readFileSync(path.join(this.folders[from]!, rel)); // may itself be a truncated copy
        if (o.hold && rng() < 0.4) this.inFlight.push({ to, rel, bytes });
        else this.place(to, rel, bytes, rng, o.truncateSome);
      }
    }
  }

  /**
   * The complete delivery: what is still in flight lands, then every file of every folder is copied to every
   * other folder, complete, overwriting truncated copies. Returns how many files it wrote.
   */
  deliverAll(): number {
    const rng = mulberry32(1);
    for (const f of this.inFlight) this.place(f.to, f.rel, f.bytes, rng, false);
    this.inFlight = [];
    const all = new Set<string>();
    for (const folder of this.folders) for (const rel of this.learn(folder)) all.add(rel);
    let written = 0;
    for (const rel of all) {
      const good = this.truth.get(rel)!;
      for (const folder of this.folders) {
        const dest = path.join(folder, rel);
        const existing = readOrNull(dest);
        if (existing && existing.equals(good)) continue;
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, good);
        written++;
      }
    }
    return written;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Views of a read model.


interface View {
  streams: { id: string; entries: number; sealed: number; kind: string; createdAt: string; updatedAt: string }[];
  entries: Record<string, { ordinal: number; ts: string; body: string }[]>;
  search: Record<string, unknown[]>;
}

function view(c: Cairn): View {
  const streams = c
    .streams({ includeTrashed: true })
    .map((s) => ({ id: s.id as string, entries: s.entries, sealed: s.sealed, kind: s.kind, createdAt: s.createdAt, updatedAt: s.updatedAt }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const entries: View['entries'] = {};
  for (const s of streams) {
    entries[s.id] = c.show(s.id, { from: 0, limit: 1_000_000 }).entries.map((e) => ({ ordinal: e.ordinal, ts: e.ts, body: canonicalize(e.body) }));
  }
  const search: View['search'] = {};
  for (const q of SEARCHED) search[q] = c.search(q, { limit: 10_000 });
  return { streams, entries, search };
}

function summary(r: SyncResult): Record<string, unknown> {
  return {
    exported: r.exported.checkpoint,
    pushed: r.pushed,
    pulled: r.pulled,
    imported: r.imported.entries,
    deferred: r.deferred,
    quarantined: r.quarantined,
    failures: r.failures,
  };
}

afterAll(removeTempDirs);

describe('convergence over folders and a copy tool (property)', () => {
  it(`origins that only ever sync with their own folder converge once every artifact is delivered (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ origins: n, ops }) => {
        const homes = Array.from({ length: n }, (_, i) => tempHome(NAMES[i], i + 1));
        const folders = Array.from({ length: n }, () => tempDir('cairn-folder-'));
        const cairns: Cairn[] = [];
        try {
          const clocks = homes.map(() => steppingClock());
          for (let i = 0; i < n; i++) cairns.push(await openCairn({ home: homes[i]!, clock: clocks[i]! }));
          const ids = cairns.map((c) => c.origin);
          expect(new Set(ids).size).toBe(n);
          const tool = new CopyTool(folders);
          /** What each origin appended: gid → canonical bodies in order. */
          const appended = new Map<string, string[]>();
          const failures: unknown[] = [];
          const sync = async (i: number): Promise<SyncResult> => {
            const r = await cairns[i]!.sync(folders[i]!, { create: true });
            if (r.failures.length > 0) failures.push({ origin: ids[i], failures: r.failures });
            return r;
          };

          for (const o of ops) {
            switch (o.kind) {
              case 'append': {
                const c = cairns[o.origin % n]!;
                await c.append(o.stream, o.bodies);
                const gid = c.gid(o.stream);
                appended.set(gid, [...(appended.get(gid) ?? []), ...o.bodies.map((b) => canonicalize(b))]);
                break;
              }
              case 'export':
                await cairns[o.origin % n]!.export();
                break;
              case 'sync':
                await sync(o.origin % n);
                break;
              case 'syncAll':
                for (let i = 0; i < n; i++) await sync(i);
                break;
              case 'rebuild':
                await cairns[o.origin % n]!.rebuild();
                break;
              case 'reopen': {
                const i = o.origin % n;
                cairns[i]!.close();
                cairns[i] = await openCairn({ home: homes[i]!, clock: clocks[i]! });
                break;
              }
              case 'deliver':
                tool.deliver(o, n);
                break;
            }
          }

          // Final phase: complete delivery + every origin syncs, until a round changes nothing.
          const rounds: unknown[] = [];
          let settled = false;
          for (let round = 0; round < MAX_FINAL_ROUNDS && !settled; round++) {
            const written = tool.deliverAll();
            const results = [];
            for (let i = 0; i < n; i++) results.push(await sync(i));
            rounds.push({ written, results: results.map(summary) });
            settled = written === 0 && results.every((r) => r.exported.checkpoint === null && r.pushed === 0 && r.pulled === 0 && r.imported.entries === 0);
          }
          expect({ settled, rounds }).toMatchObject({ settled: true });
          expect(failures).toEqual([]);

          // 3. A further sync changes nothing.
          for (let i = 0; i < n; i++) {
            const r = await sync(i);
            expect({ origin: ids[i], ...summary(r) }).toEqual({
              origin: ids[i],
              exported: null,
              pushed: 0,
              pulled: 0,
              imported: 0,
              deferred: 0,
              quarantined: 0,
              failures: [],
            });
          }

          // 1. All read models are equal: streams, entries, search.
          const views = cairns.map(view);
          for (let i = 1; i < n; i++) expect({ origin: ids[i], view: views[i] }).toEqual({ origin: ids[i], view: views[0] });

          // 4. Nothing is lost: every appended entry is everywhere, with its body.
          const expectedEntries = Object.fromEntries([...appended].sort(([a], [b]) => (a < b ? -1 : 1)));
          for (let i = 0; i < n; i++) {
            const actual = Object.fromEntries(Object.entries(views[i]!.entries).map(([gid, es]) => [gid, es.map((e) => e.body)]));
            expect({ origin: ids[i], entries: actual }).toEqual({ origin: ids[i], entries: expectedEntries });
          }

          // 2. Each read model equals a rebuild, table by table; and all databases are equal, table by table.
          for (const c of cairns) c.close();
          const dumps = homes.map((home) => dumpReadModel(path.join(home, 'cairn.db')));
          for (let i = 0; i < n; i++) {
            const fresh = path.join(homes[i]!, 'rebuilt.db');
            const rebuilt = await openCairn({ home: homes[i]!, clock: steppingClock(), database: fresh, skipCatchUp: true });
            try {
              await rebuilt.rebuild();
            } finally {
              rebuilt.close();
            }
            expect({ origin: ids[i], tables: dumpReadModel(fresh) }).toEqual({ origin: ids[i], tables: dumps[i] });
            if (i > 0) expect({ origin: ids[i], tables: dumps[i] }).toEqual({ origin: ids[i], tables: dumps[0] });
          }
        } finally {
          for (const c of cairns) c.close();
          removeTempDirs();
        }
      }),
      { numRuns: RUNS },
    );
  }, 240_000); // a guard against a hang, not a timing: 100 runs take 20-45 s on a loaded 2-core machine
});

/**
 * CPU profiles of one measured region (node:inspector, in-process, so setup and corpus generation stay out of
 * the profile), and a summary by self time: the top functions and the top areas (a cairn source file, SQLite,
 * zstd, node internals, GC). Native functions (better-sqlite3's `run`, zstd-napi's `compress`) are named with
 * the JavaScript function that called them, which is where their time belongs. Locations are in the compiled
 * output (`dist-bench/`, one line per function name shown: `src/x/Y.js:LINE`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Session } from 'node:inspector/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly topFunctions: readonly { name: string; selfMs: number; pct: number }[];
  readonly topAreas: readonly { area: string; selfMs: number; pct: number }[];
  /** Coarse buckets: SQLite, file I/O, zstd, SHA-256, canonical JSON, GC, … */
  readonly categories: readonly { category: string; selfMs: number; pct: number }[];
}

const FILE_IO = /^(fsync|fdatasync|open|close|write|writeString|writeBuffer|writeBuffers|read|readFileUtf8|readdir|lstat|stat|fstat|link|unlink|rename|mkdir|rmdir|rm|ftruncate|copyFile|existsSync|access|realpath|readFile)$/;

/** The coarse bucket of a function, from its (display) name and area. */
function categoryOf(name: string, area: string, fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(idle)' || fn === '(root)') return 'V8 other (program, idle)';
  if (area.includes('better-sqlite3') || /sqlite\/|ContentProjection|StatusProjection|SqliteReadModel/.test(area)) return 'SQLite (+ FTS5)';
  if (!url && /^(run|exec|get|all|iterate|prepare|Statement|pragma|transaction)$/.test(fn)) return 'SQLite (+ FTS5)';
  if (/zstd|Zstd/.test(area) || /zstd|Zstd/.test(name)) return 'zstd';
  if (/crypto\/hash|domain\/hash\.js/.test(name) || area.endsWith('domain/hash.js')) return 'SHA-256';
  if ((!url && FILE_IO.test(fn)) || /^node:(internal\/)?fs/.test(url) || /^node:path/.test(url)) return 'file I/O (open, write, fsync, read, list)';
  if (/createFromString|node:internal\/encoding|fromUtf8|utf8 /.test(name)) return 'UTF-8 conversion';
  if (/src\/domain\/json\.js/.test(url)) return 'canonical JSON encode + depth checks (cairn)';
  if (/src\/domain\/(artifacts\/segment|artifacts\/entry|time)\.js/.test(url)) return 'segment encode/decode (JSON.parse, entry checks)';
  if (/bench\//.test(url) || /bench\//.test(area)) return 'bench harness (incl. JSON.parse/stringify in bare)';
  if (/src\//.test(url) || /src\//.test(area)) return 'cairn JavaScript (other)';
  if (/node_modules\//.test(url)) return area;
  return 'node internals / other';
}

/** Add up summaries of several regions (the phases of one run): functions and categories by name. */
export function mergeSummaries(list: readonly ProfileSummary[], file: string): ProfileSummary {
  const total = list.reduce((n, s) => n + s.totalMs, 0);
  const add = (key: 'topFunctions' | 'topAreas' | 'categories', field: 'name' | 'area' | 'category') => {
    const m = new Map<string, number>();
    for (const s of list) for (const x of s[key] as unknown as Record<string, string | number>[]) m.set(x[field] as string, (m.get(x[field] as string) ?? 0) + (x.selfMs as number));
    return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, ms]) => ({ [field]: k, selfMs: ms, pct: +((100 * ms) / Math.max(1, total)).toFixed(1) }));
  };
  return {
    file: relativeToRoot(file),
    totalMs: total,
    topFunctions: add('topFunctions', 'name') as unknown as ProfileSummary['topFunctions'],
    topAreas: add('topAreas', 'area') as unknown as ProfileSummary['topAreas'],
    categories: add('categories', 'category') as unknown as ProfileSummary['categories'],
  };
}

/** Run `fn` under the sampling profiler and write the profile to `file` (open it in Chrome DevTools). */
export async function profileRegion<T>(file: string, fn: () => Promise<T>): Promise<[T, ProfileSummary]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let result: T;
  try {
    result = await fn();
  } finally {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
  return [result, summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, file)];
}

const ROOT = path.resolve(__dirname, '..', '..');

function relativeToRoot(file: string): string {
  return path.isAbsolute(file) && file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

function shortUrl(url: string): string {
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(ROOT)) u = u.slice(ROOT.length + 1);
  return u.replace(/^dist-bench\//, '');
}

function areaOf(frame: CallFrame): string {
  const u = shortUrl(frame.url);
  if (!frame.url) {
    if (frame.functionName.startsWith('(')) return frame.functionName; // (garbage collector), (program), (idle)
    return `native`;
  }
  if (u.startsWith('node:')) return 'node internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1]!;
  return u;
}

export function summarizeProfile(profile: CpuProfile, file: string, top = 40): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + dt);
  }
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  const cats = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const f = node.callFrame;
    let name: string;
    let area = areaOf(f);
    // Native code and node's own JavaScript (fs, path, …) are charged to the nearest caller outside them.
    let owner: CallFrame | null = null;
    if (!f.functionName.startsWith('(') && (!f.url || f.url.startsWith('node:'))) {
      let p = parent.get(id);
      while (p !== undefined && (!byId.get(p)!.callFrame.url || byId.get(p)!.callFrame.url.startsWith('node:'))) p = parent.get(p);
      owner = p === undefined ? null : byId.get(p)!.callFrame;
      area = `${f.url ? 'node' : 'native'} ← ${owner ? areaOf(owner) : '?'}`;
    }
    const where = (c: CallFrame) => `${c.functionName || '(anonymous)'} ${shortUrl(c.url)}:${c.lineNumber + 1}`;
    if (!f.url && !f.functionName.startsWith('(')) {
      let p = parent.get(id);
      while (p !== undefined && !byId.get(p)!.callFrame.url) p = parent.get(p);
      const caller = p === undefined ? null : byId.get(p)!.callFrame;
      name = `${f.functionName || '(native)'} [native] ← ${caller ? where(caller) : '?'}${owner && caller !== owner ? ` ← ${where(owner)}` : ''}`;
    } else if (!f.url) {
      name = f.functionName;
    } else {
      name = `${where(f)}${owner ? ` ← ${where(owner)}` : ''}`;
    }
    fns.set(name, (fns.get(name) ?? 0) + us);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const cat = categoryOf(name, area, f.functionName, f.url ? shortUrl(f.url) : '');
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    total += us;
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ k, selfMs: Math.round(us / 1000), pct: +((100 * us) / Math.max(1, total)).toFixed(1) }));
  return {
    file: relativeToRoot(file),
    totalMs: Math.round(total / 1000),
    topFunctions: rank(fns).map(({ k, selfMs, pct }) => ({ name: k, selfMs, pct })),
    topAreas: rank(areas).map(({ k, selfMs, pct }) => ({ area: k, selfMs, pct })),
    categories: rank(cats).map(({ k, selfMs, pct }) => ({ category: k, selfMs, pct })),
  };
}

/** `node dist-bench/bench/profile.js FILE.cpuprofile` prints the summary of a profile written by --cpu-prof. */
if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist-bench/bench/profile.js FILE.cpuprofile');
    process.exit(2);
  }
  console.log(JSON.stringify(summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, file), null, 2));
}

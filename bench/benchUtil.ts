/** Small helpers shared by the comparative benchmark (bench/compare.ts) and its child processes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpus, type CorpusEntry } from './corpus';

export type Body = CorpusEntry['body'];

/** Milliseconds since `t0` (a `process.hrtime.bigint()` reading). */
export function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [r, since(t0)];
}

/** Peak resident set size of this process so far, in MB (resourceUsage reports KiB). */
export function peakRssMB(): number {
  return +(process.resourceUsage().maxRSS / 1024).toFixed(1);
}

/** The seeded corpus, grouped by stream in corpus order (stream names sorted so every system sees one order). */
export function groupedCorpus(n: number, streams: number, seed: number, targetBytes: number): Map<string, Body[]> {
  const by = new Map<string, Body[]>();
  for (const e of corpus(n, streams, seed, targetBytes)) {
    let list = by.get(e.stream);
    if (!list) by.set(e.stream, (list = []));
    list.push(e.body);
  }
  return new Map([...by.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Write a file that does not exist yet and make it durable (exclusive create, write, fsync, close). */
export function writeDurable(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'wx');
  try {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync a directory so the names created in it are durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Every regular file under `dir` (recursive), skipping dot files. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    if (d.name.startsWith('.')) continue;
    const p = path.join(dir, d.name);
    if (d.isDirectory()) out.push(...listFiles(p));
    else if (d.isFile()) out.push(p);
  }
  return out;
}

/** Total size of the files under `dir`, and per first-level folder below `dir/<x>/` (e.g. segments, manifests). */
export function sizeByKind(dir: string): { total: number; files: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  let total = 0;
  const files = listFiles(dir);
  for (const f of files) {
    const size = fs.statSync(f).size;
    total += size;
    const parts = path.relative(dir, f).split(path.sep);
    const kind = parts.length >= 3 ? parts[parts.length - 2]! : parts[0]!;
    byKind[kind] = (byKind[kind] ?? 0) + size;
  }
  return { total, files: files.length, byKind };
}

/** Every string in a JSON value, joined by spaces: the text a search index gets (the same content cairn indexes). */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, digits = 0): number => +x.toFixed(digits);

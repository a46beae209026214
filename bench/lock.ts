/**
 * Lock figures: acquire and release latency of the file lock (and of the in-memory lock, for the cost of
 * LeaseLock itself), the per-operation cost of the lock on a one-entry `append`, and the contention test's
 * figures (8 processes × 50 lock-protected read-increment-write cycles, the child of the e2e test).
 * Usage: node dist-bench/bench/lock.js [cycles]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLeaseStore, initHome, LeaseLock, MemoryLeaseStore, openCairn, systemLockClock, systemRandom, type LeaseStore } from '../src';
import { median, round, since } from './benchUtil';

const CYCLES = Number(process.argv[2] ?? 2_000);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const us = (ms: number): number => round(ms * 1000);

function summary(xs: number[]): { p50us: number; p90us: number; p99us: number; meanUs: number } {
  return { p50us: us(median(xs)), p90us: us(pct(xs, 90)), p99us: us(pct(xs, 99)), meanUs: us(xs.reduce((a, b) => a + b, 0) / xs.length) };
}

async function latency(store: LeaseStore): Promise<{ acquire: ReturnType<typeof summary>; release: ReturnType<typeof summary> }> {
  const lock = new LeaseLock(store, { clock: systemLockClock, random: systemRandom, host: os.hostname(), pid: process.pid });
  const acquire: number[] = [];
  const release: number[] = [];
  for (let i = 0; i < CYCLES + 100; i++) {
    let t0 = process.hrtime.bigint();
    const handle = await lock.acquire();
    const a = since(t0);
    t0 = process.hrtime.bigint();
    await handle.release();
    const r = since(t0);
    if (i >= 100) acquire.push(a), release.push(r); // the first 100 warm up
  }
  return { acquire: summary(acquire), release: summary(release) };
}

/** Mean ms of a one-entry append (lock taken and released inside) with a given lock plugin. */
async function appendCost(root: string, lock: 'file-lock' | 'memory-lock', n: number): Promise<number> {
  const home = path.join(root, `append-${lock}`);
  initHome(home, { name: 'bench' }, systemLockClock, systemRandom);
  const cairn = await openCairn({ home, lock, lockOptions: lock === 'file-lock' ? { dir: path.join(home, 'lock') } : undefined });
  for (let i = 0; i < 50; i++) await cairn.append('warm', [{ i }]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await cairn.append('s', [{ i }]);
  const ms = since(t0) / n;
  cairn.close();
  return ms;
}

function child(args: string[]): Promise<void> {
  const script = path.join(__dirname, '..', '..', 'test', 'helpers', 'lockChild.js');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock child exited ${code}`))));
  });
}

async function contention(root: string, procs = 8, cycles = 50): Promise<Record<string, number>> {
  const dir = path.join(root, 'contention');
  fs.mkdirSync(dir);
  const counter = path.join(dir, 'counter');
  fs.writeFileSync(counter, '0');
  const logs = Array.from({ length: procs }, (_, i) => path.join(dir, `log-${i}`));
  const t0 = process.hrtime.bigint();
  await Promise.all(logs.map((log) => child([path.join(dir, 'lock'), counter, log, String(cycles), '10000'])));
  const wallMs = since(t0);
  const spans = logs
    .flatMap((log) => fs.readFileSync(log, 'utf8').trim().split('\n'))
    .map((l) => l.split(' ').map((x) => BigInt(x)))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  const holdMs = spans.map(([s, e]) => Number(e! - s!) / 1e6);
  const gapMs = spans.slice(1).map(([s], i) => Number(s! - spans[i]![1]!) / 1e6);
  const firstToLastMs = Number(spans.at(-1)![1]! - spans[0]![0]!) / 1e6;
  return {
    processes: procs,
    acquisitions: spans.length,
    final: Number(fs.readFileSync(counter, 'utf8')),
    wallMs: round(wallMs),
    firstToLastMs: round(firstToLastMs),
    acquisitionsPerSecond: round((spans.length / firstToLastMs) * 1000, 1),
    holdP50Ms: round(median(holdMs), 3),
    handoffGapP50Ms: round(median(gapMs), 3),
    handoffGapP99Ms: round(pct(gapMs, 99), 3),
  };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-lock-'));
  try {
    const file = await latency(new FileLeaseStore(path.join(root, 'lock')));
    const memory = await latency(new MemoryLeaseStore());
    const appendFileLockMs = await appendCost(root, 'file-lock', 500);
    const appendMemoryLockMs = await appendCost(root, 'memory-lock', 500);
    const contended = await contention(root);
    const result = {
      cycles: CYCLES,
      fileLock: file,
      memoryLock: memory,
      appendOneEntry: { fileLockMs: round(appendFileLockMs, 3), memoryLockMs: round(appendMemoryLockMs, 3), lockCostMs: round(appendFileLockMs - appendMemoryLockMs, 3) },
      contention: contended,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

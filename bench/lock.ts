/**
 * Lock figures: acquire and release latency of the file lock, of the S3 lock (against $CAIRN_S3_ENDPOINT or a
 * throwaway radosgw, see ./s3Server) and of the in-memory lock (the cost of LeaseLock itself), the
 * per-operation cost of the lock on a one-entry `append`, and the contention tests' figures (8 processes × 50
 * lock-protected read-increment-write cycles on a counter file / a counter S3 object, the children of the e2e
 * tests).
 * Usage: node dist-bench/bench/lock.js [cycles]   (the S3 lock runs a fifth of them, at least 100)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FileLeaseStore, initHome, LeaseLock, MemoryLeaseStore, openCairn, S3LeaseStore, systemLockClock, systemRandom, type LeaseStore } from '../src';
import { createS3Client, parseS3Url, resolveS3Settings, s3TransportFactory } from '../src/plugins/s3-transport';
import { median, round, since } from './benchUtil';
import { ensureS3Server, NO_S3_SERVER, stopS3Server } from './s3Server';

const CYCLES = Number(process.argv[2] ?? 2_000);
const S3_CYCLES = Math.max(100, Math.round(CYCLES / 5));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const us = (ms: number): number => round(ms * 1000);

function summary(xs: number[]): { p50us: number; p90us: number; p99us: number; meanUs: number } {
  return { p50us: us(median(xs)), p90us: us(pct(xs, 90)), p99us: us(pct(xs, 99)), meanUs: us(xs.reduce((a, b) => a + b, 0) / xs.length) };
}

async function latency(store: LeaseStore, cycles = CYCLES, warmup = 100): Promise<{ acquire: ReturnType<typeof summary>; release: ReturnType<typeof summary> }> {
  const lock = new LeaseLock(store, { clock: systemLockClock, random: systemRandom, host: os.hostname(), pid: process.pid });
  const acquire: number[] = [];
  const release: number[] = [];
  for (let i = 0; i < cycles + warmup; i++) {
    let t0 = process.hrtime.bigint();
    const handle = await lock.acquire();
    const a = since(t0);
    t0 = process.hrtime.bigint();
    await handle.release();
    const r = since(t0);
    if (i >= warmup) acquire.push(a), release.push(r); // the first ones warm up
  }
  return { acquire: summary(acquire), release: summary(release) };
}

/** Mean ms of a one-entry append (lock taken and released inside) with a given lock plugin. */
async function appendCost(root: string, lock: 'file-lock' | 'memory-lock' | 's3-lock', n: number, lockOptions?: object): Promise<number> {
  const home = path.join(root, `append-${lock}`);
  initHome(home, { name: 'bench' }, systemLockClock, systemRandom);
  const cairn = await openCairn({ home, lock, lockOptions: lock === 'file-lock' ? { dir: path.join(home, 'lock') } : lockOptions });
  for (let i = 0; i < 50; i++) await cairn.append('warm', [{ i }]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await cairn.append('s', [{ i }]);
  const ms = since(t0) / n;
  cairn.close();
  return ms;
}

function child(script: string, args: string[]): Promise<void> {
  const file = path.join(__dirname, '..', '..', 'test', 'helpers', script);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited ${code}`))));
  });
}

/** Where the contention children keep their counter: a file, or an S3 object (read back at the end). */
interface Counter {
  readonly child: string;
  readonly args: (log: string) => string[];
  final(): Promise<number>;
}

function fileCounter(dir: string): Counter {
  const counter = path.join(dir, 'counter');
  fs.writeFileSync(counter, '0');
  return {
    child: 'lockChild.js',
    args: (log) => [path.join(dir, 'lock'), counter, log, '50', '10000'],
    final: async () => Number(fs.readFileSync(counter, 'utf8')),
  };
}

async function s3Counter(lockUrl: string, retryMs: number): Promise<Counter> {
  const client = createS3Client(resolveS3Settings({}, process.env));
  const target = parseS3Url(`${lockUrl}/counter`);
  const Key = target.root.slice(0, -1);
  await client.send(new PutObjectCommand({ Bucket: target.bucket, Key, Body: '0' }));
  return {
    child: 's3LockChild.js',
    args: (log) => [lockUrl, `${lockUrl}/counter`, log, '50', '10000', String(retryMs)],
    final: async () => {
      const out = await client.send(new GetObjectCommand({ Bucket: target.bucket, Key }));
      const value = Number(await out.Body!.transformToString());
      client.destroy();
      return value;
    },
  };
}

async function contention(dir: string, counter: Counter, procs = 8): Promise<Record<string, number>> {
  const logs = Array.from({ length: procs }, (_, i) => path.join(dir, `log-${i}`));
  const t0 = process.hrtime.bigint();
  await Promise.all(logs.map((log) => child(counter.child, counter.args(log))));
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
    final: await counter.final(),
    wallMs: round(wallMs),
    firstToLastMs: round(firstToLastMs),
    acquisitionsPerSecond: round((spans.length / firstToLastMs) * 1000, 1),
    holdP50Ms: round(median(holdMs), 3),
    handoffGapP50Ms: round(median(gapMs), 3),
    handoffGapP99Ms: round(pct(gapMs, 99), 3),
  };
}

/** The S3 lock's figures, against the configured S3 server or a throwaway radosgw. */
async function s3Figures(root: string): Promise<Record<string, unknown>> {
  const server = ensureS3Server();
  if (server === 'none') return { skipped: NO_S3_SERVER };
  try {
    const base = `s3://${process.env.CAIRN_S3_BUCKET ?? 'cairn-bench'}/lock-bench-${randomUUID().slice(0, 8)}`;
    await (await s3TransportFactory().create(base, { create: true })).close(); // the bucket exists
    const settings = resolveS3Settings({}, process.env);
    const client = createS3Client(settings);
    const store = new S3LeaseStore(client, parseS3Url(`${base}/latency`), settings.endpoint ?? 'aws');
    const s3 = await latency(store, S3_CYCLES, 20);
    client.destroy();
    const appendMs = await appendCost(root, 's3-lock', 100, { url: `${base}/append` });
    const contended: Record<string, unknown> = {};
    for (const retryMs of [100, 20]) {
      const dir = path.join(root, `contention-s3-${retryMs}`);
      fs.mkdirSync(dir);
      contended[`retryMs${retryMs}`] = await contention(dir, await s3Counter(`${base}/contention-${retryMs}`, retryMs));
    }
    return { endpoint: settings.endpoint, cycles: S3_CYCLES, s3Lock: s3, appendOneEntryMs: round(appendMs, 3), contention: contended };
  } finally {
    if (server) stopS3Server(server);
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-lock-'));
  const loadAtStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  try {
    const file = await latency(new FileLeaseStore(path.join(root, 'lock')));
    const memory = await latency(new MemoryLeaseStore());
    const appendFileLockMs = await appendCost(root, 'file-lock', 500);
    const appendMemoryLockMs = await appendCost(root, 'memory-lock', 500);
    const dir = path.join(root, 'contention');
    fs.mkdirSync(dir);
    const contended = await contention(dir, fileCounter(dir));
    const s3 = await s3Figures(root);
    const result = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => x.toFixed(1)).join(' ') },
      cycles: CYCLES,
      fileLock: file,
      memoryLock: memory,
      appendOneEntry: { fileLockMs: round(appendFileLockMs, 3), memoryLockMs: round(appendMemoryLockMs, 3), lockCostMs: round(appendFileLockMs - appendMemoryLockMs, 3) },
      contention: contended,
      s3,
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

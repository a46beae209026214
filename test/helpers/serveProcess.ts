import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { BIN } from './cli';

export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** The JSON lines printed so far (the first is `{url, …}`). */
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  /** Resolves once at least `n` lines were printed (the test process reads the pipe only when it yields). */
  waitForLines(n: number): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Start the real `cairn serve --json` on an ephemeral loopback port; resolves once it printed its URL. */
export function startServe(home: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--home', home, '--port', '0', '--json', ...args], {
    env: { ...process.env, CAIRN_HOME: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let buffered = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
        buffered = buffered.slice(nl + 1);
        for (const w of waiters.filter((x) => lines.length >= x.n)) w.resolve();
        if (lines.length === 1) {
          resolve({
            url: lines[0]!.url as string,
            pid: child.pid!,
            lines,
            stderr: () => err,
            waitForLines: (n) => (lines.length >= n ? Promise.resolve() : new Promise<void>((r) => waiters.push({ n, resolve: r }))),
            stop: async () => {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      }
    });
    void exited.then((code) => reject(new Error(`cairn serve exited ${code} before printing its URL: ${err}`)));
  });
}

/** Peak resident set size of a running process (VmHWM from /proc), in bytes. */
export function peakRss(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Run the real binary without blocking this process (so several can run at once); resolves with its output. */
export function runCairn(args: readonly string[], options: { home: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--home', options.home], { env: { ...process.env, CAIRN_HOME: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

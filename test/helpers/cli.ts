import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

export const BIN = path.join(__dirname, '..', '..', 'bin', 'cairn.js');

/** The `--json` shapes of the commands the tests read entries and origins from (see CLI.md). */
export interface ShowJson {
  stream: string;
  entries: { ordinal: number; ts: string; body: unknown; pinned: boolean }[];
}
export interface StatusJson {
  origin: string;
  home: string;
  streams: number;
  entries: number;
  pending: number;
  checkpoint: number;
  origins: {
    origin: string;
    checkpoint: number;
    present: number;
    published: number;
    lastPublishedAt: string | null;
    streams: number;
    entries: number;
    conflicts: number;
  }[];
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as one JSON document (throws when it is not exactly one). */
  json<T = any>(): T;
}

/** Run the real binary (built into dist/ by `npm test`) with a home and optional stdin. */
export function cairn(args: readonly string[], options: { home?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const argv = options.home ? [...args, '--home', options.home] : [...args];
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...argv], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, CAIRN_HOME: '', ...options.env },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json<T>(): T {
      return JSON.parse(r.stdout) as T;
    },
  };
}

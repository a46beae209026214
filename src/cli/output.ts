import { isCairnError } from '../domain';
import { UsageError } from './UsageError';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, lockHeld: 3 } as const;

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** One clear line on stderr (and the error document on stdout with --json); returns the exit code. */
export function reportError(io: Io, err: unknown, json: boolean): number {
  if (err instanceof UsageError) {
    io.stderr.write(`cairn: ${err.message}\n`);
    if (json) printJson(io, { error: { code: 'USAGE', message: err.message } });
    return EXIT.usage;
  }
  const code = isCairnError(err) ? err.code : 'INTERNAL';
  const message = isCairnError(err) ? err.message : describeUnexpected(err);
  io.stderr.write(`cairn: ${message}\n`);
  if (json) printJson(io, { error: { code, message } });
  return code === 'LOCK_HELD' ? EXIT.lockHeld : EXIT.failure;
}

function describeUnexpected(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return `${e.message} (${e.code}); check the path and permissions, then retry`;
  }
  return `unexpected failure: ${e && e.message ? e.message : String(err)}`;
}

import { isCairnError } from '../domain';
import { UsageError } from './UsageError';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, lockHeld: 3, interrupted: 130 } as const;

/** The exit code of an error code: the lock (held, or lost mid-operation) is 3, Ctrl-C is 130. */
function exitFor(code: string): number {
  if (code === 'LOCK_HELD' || code === 'LOCK_LOST') return EXIT.lockHeld;
  return code === 'INTERRUPTED' ? EXIT.interrupted : EXIT.failure;
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** One clear line on stderr (and the error document on stdout with --json); returns the exit code. */
export function reportError(io: Io, err: unknown, json: boolean): number {
  if (err instanceof UsageError) {
    const message = oneLine(err.message);
    io.stderr.write(`cairn: ${message}\n`);
    if (json) printJson(io, { error: { code: 'USAGE', message } });
    return EXIT.usage;
  }
  const busy = (err as { code?: unknown })?.code === 'SQLITE_BUSY';
  const code = isCairnError(err) ? err.code : busy ? 'LOCK_HELD' : 'INTERNAL';
  const raw = isCairnError(err)
    ? err.message
    : busy
      ? 'the read model is busy in another cairn process; retry when it has finished'
      : describeUnexpected(err);
  const message = oneLine(raw);
  io.stderr.write(`cairn: ${message}\n`);
  if (json) printJson(io, { error: { code, message } });
  return exitFor(code);
}

/** Errors are one line: embedded newlines (from file contents or parser messages) are folded. */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function describeUnexpected(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return `${e.message} (${e.code}); check the path and permissions, then retry`;
  }
  return `unexpected failure: ${e && e.message ? e.message : String(err)}`;
}

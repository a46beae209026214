import type { ProgressEvent, ProgressSink } from '../application/ports';
import type { Io } from './output';

/** Progress on stderr when it is a terminal (and not with --json); silent otherwise. Redraws at most 10×/s. */
export function terminalProgress(io: Io, json: boolean): { sink: ProgressSink | undefined; done(): void } {
  if (json || !io.stderr.isTTY) return { sink: undefined, done: () => undefined };
  let last = 0;
  let drawn = false;
  const sink = (p: ProgressEvent): void => {
    const now = Date.now();
    if (now - last < 100 && p.done !== p.total) return;
    last = now;
    const total = p.total !== undefined ? `/${p.total}` : '';
    io.stderr.write(`\r\x1b[K${p.phase}: ${p.done}${total}`);
    drawn = true;
  };
  return {
    sink,
    done: () => {
      if (drawn) io.stderr.write('\r\x1b[K');
    },
  };
}

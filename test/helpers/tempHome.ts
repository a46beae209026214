import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Clock, RandomSource } from '../../src/application/ports';
import { initHome } from '../../src/infrastructure/config/HomeConfig';

/** A clock that moves forward 1 ms per reading from a fixed start: deterministic tests, time passed in. */
export function steppingClock(start = Date.parse('2026-11-22T10:00:00.000Z')): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now++, set: (ms: number) => void (now = ms) };
}

export function counterRandom(seed = 1): RandomSource {
  let n = seed;
  return { hex: (bytes) => (n++).toString(16).padStart(bytes * 2, '0').slice(-bytes * 2) };
}

const made: string[] = [];

export function tempDir(prefix = 'cairn-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A fresh, initialised home in a temp dir. */
export function tempHome(name = 'desk', seed = 1): string {
  const home = path.join(tempDir(), name);
  initHome(home, { name }, steppingClock(), counterRandom(seed));
  return home;
}

export function removeTempDirs(): void {
  while (made.length > 0) fs.rmSync(made.pop()!, { recursive: true, force: true });
}

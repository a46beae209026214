import { openCairn } from '../../src/infrastructure/container/openCairn';
import type { Cairn } from '../../src/application/Cairn';
import { memoryTarget } from '../../src/plugins/memory-store';
import { steppingClock, tempHome } from './tempHome';

let buckets = 0;

/** A fresh in-process target, and its URL. */
export function freshTarget(): { url: string; bucket: ReturnType<typeof memoryTarget> } {
  const name = `t${process.pid}-${buckets++}`;
  return { url: `memory://${name}`, bucket: memoryTarget(name) };
}

/** An initialised, opened origin with a deterministic clock. */
export async function origin(name: string, seed: number): Promise<Cairn> {
  return openCairn({ home: tempHome(name, seed), clock: steppingClock() });
}

export function bodies(n: number, word = 'river', start = 0): { text: string; n: number }[] {
  return Array.from({ length: n }, (_, i) => ({ text: `${word} entry ${start + i} with stones and garlic`, n: start + i }));
}

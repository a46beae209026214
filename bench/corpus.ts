import { mulberry32 } from '../src/testing/prng';

/** A seeded, realistic corpus: prose and code-like text, ids and timestamps, entries of about 300-800 bytes. */
const WORDS = (
  'the of and to in is that for it as with was on be by at this from or have an they which one you were all ' +
  'garden river stone clock sync origin stream entry segment manifest checkpoint replica archive journal ' +
  'tomato garlic fence winter harvest bread starter oven bicycle chain derailleur mountain trail weather ' +
  'function return const await async import export class interface promise buffer error retry timeout'
).split(' ');
const CODE = [
  'const x = await fetch(url, { method: "POST" });',
  'if (err) { return callback(err); }',
  'for (let i = 0; i < n; i++) sum += values[i];',
  'export function hash(bytes: Uint8Array): string {',
  'SELECT id, body FROM entries WHERE gid = ? ORDER BY ordinal;',
];

export interface CorpusEntry {
  readonly stream: string;
  readonly body: { id: string; at: string; author: string; text: string; tags: string[]; code?: string };
}

export function* corpus(n: number, streams: number, seed = 42, targetBytes = 500): Generator<CorpusEntry> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const size = Math.floor(targetBytes * (0.6 + rnd() * 0.8));
    const words: string[] = [];
    let len = 0;
    while (len < size - 120) {
      const w = pick(WORDS);
      words.push(rnd() < 0.08 ? `${w}.` : w);
      len += w.length + 1;
    }
    const body: CorpusEntry['body'] = {
      id: `e${i.toString(36)}-${Math.floor(rnd() * 1e9).toString(36)}`,
      at: new Date(t0 + i * 1000 + Math.floor(rnd() * 1000)).toISOString(),
      author: pick(['ana', 'bo', 'chen', 'dara', 'eli']),
      text: words.join(' '),
      tags: [pick(WORDS), pick(WORDS)],
    };
    if (rnd() < 0.25) body.code = pick(CODE);
    yield { stream: `s${Math.floor(rnd() * streams)}`, body };
  }
}

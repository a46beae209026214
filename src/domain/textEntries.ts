import type { Entry } from './artifacts/entry';
import type { Json } from './json';
import type { JournalRecord } from './journalRecord';
import { LazyEntry, type BodySource } from './lazyEntry';

/** Canonical body texts held as strings (what `append` encoded): a {@link BodySource} that parses on demand. */
export class StringBodies implements BodySource {
  constructor(private readonly texts: readonly string[]) {}

  body(index: number): Json {
    return JSON.parse(this.texts[index]!) as Json;
  }
}

/**
 * Entries whose bodies are parsed from their canonical texts the first time they are read, then kept: a writer
 * that holds the texts hands out bodies no caller object can reach, and pays for parsing only if someone reads
 * them. `body` is an own enumerable property, so spreading, cloning and comparing see it.
 */
export function entriesFromTexts(from: number, ts: string, texts: readonly string[]): Entry[] {
  const source = new StringBodies(texts);
  return texts.map((_, i) => new LazyEntry(from + i, ts, source, i));
}

/**
 * The journal record of entries made from their texts: journals write the `texts`; `bodies` (for a journal
 * that reads them instead) are the entries' own, parsed on first read.
 */
export function entriesRecordOf(entries: readonly Entry[], texts: readonly string[]): JournalRecord {
  const first = entries[0];
  if (!first || texts.length !== entries.length) throw new RangeError('an entries record needs one text per entry, and at least one');
  let bodies: readonly Json[] | undefined;
  return {
    t: 'entries',
    from: first.ordinal,
    ts: first.ts,
    texts,
    get bodies(): readonly Json[] {
      if (bodies === undefined) bodies = entries.map((e) => e.body);
      return bodies;
    },
  };
}

import type { Entry } from './artifacts/entry';
import type { Json } from './json';
import type { JournalRecord } from './journalRecord';

/**
 * An entry whose body is parsed from its canonical text the first time it is read, then kept: a writer that
 * holds the text hands out a body no caller object can reach, and pays for parsing only if someone reads it.
 * `body` is an own enumerable property (an accessor), so spreading, cloning and comparing see it.
 */
export function entryFromText(ordinal: number, ts: string, text: string): Entry {
  let body: Json | undefined;
  return {
    ordinal,
    ts,
    get body(): Json {
      if (body === undefined) body = JSON.parse(text) as Json;
      return body;
    },
  };
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

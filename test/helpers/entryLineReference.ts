import { canonicalize, invalidArtifact, parseEntry, searchText, type Entry } from '../../src/domain';

/**
 * The general path of reading entry lines, written out independently of src: parse each whole line, check it
 * with parseEntry, derive the canonical text and the search text from the parsed body. What the import did
 * before it read canonical lines without re-encoding them (ADR 0013); the fast path must agree with it. A
 * body that cannot be encoded (a number beyond double range parses to ±Infinity) makes the segment invalid,
 * at the first line that has one, like any other damaged line.
 */
export function referenceEntryLines(lines: readonly string[], from: number, where: string): { entries: Entry[]; texts: string[]; searchTexts: string[] } {
  const entries: Entry[] = [];
  const texts: string[] = [];
  lines.forEach((line, i) => {
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw invalidArtifact(where, `line ${i + 2} is not JSON`);
    }
    const entry = parseEntry(doc, from + i, where);
    entries.push(entry);
    try {
      texts.push(canonicalize(entry.body));
    } catch (err) {
      const m = /^value at \$(.*) cannot be written as JSON: (the number (-?)Infinity has no JSON form)$/.exec((err as Error).message);
      if (!m) throw err;
      const hint = ' (a number beyond the range of a double, such as 1e400, reads as ±Infinity)';
      throw invalidArtifact(where, `entry ${from + i}: body${m[1]}: ${m[2]}${hint}`);
    }
  });
  return { entries, texts, searchTexts: entries.map((e) => searchText(e.body)) };
}

/** A call's result or its error (code and message), so that two paths can be compared with toEqual. */
export function outcome<T>(f: () => T): { ok: T } | { code: unknown; message: unknown } {
  try {
    return { ok: f() };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return { code: e.code, message: e.message };
  }
}

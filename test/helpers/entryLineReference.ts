import { canonicalize, invalidArtifact, parseEntry, searchText, type Entry } from '../../src/domain';

/**
 * The general path of reading entry lines, written out independently of src: parse each whole line, check it
 * with parseEntry, derive the canonical text and the search text from the parsed body. What the import did
 * before it read canonical lines without re-encoding them (ADR 0013); the fast path must agree with it.
 */
export function referenceEntryLines(lines: readonly string[], from: number, where: string): { entries: Entry[]; texts?: string[]; searchTexts: string[] } {
  const entries = lines.map((line, i) => {
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw invalidArtifact(where, `line ${i + 2} is not JSON`);
    }
    return parseEntry(doc, from + i, where);
  });
  const texts = entries.map((e) => {
    try {
      return canonicalize(e.body);
    } catch {
      return undefined;
    }
  });
  const searchTexts = entries.map((e) => searchText(e.body));
  return texts.every((t): t is string => t !== undefined) ? { entries, texts, searchTexts } : { entries, searchTexts };
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

import { LIMITS } from './limits';

/**
 * Whether `text`, which JSON.parse accepted, is exactly the canonical encoding of its value (`canonicalize`)
 * and nests no deeper than the limit. Canonical means: no whitespace; every string and key written as
 * JSON.stringify writes it; every number as JSON.stringify writes it (a finite one); in every object, keys in
 * strictly increasing UTF-16 order (so none repeats). When true, `parts` holds the value strings in text
 * order, which for canonical text is {@link searchText}'s order (objects in sorted key order).
 * A lone surrogate written raw is not canonical (the encoder escapes it).
 */
export function scanCanonical(text: string, parts: string[]): boolean {
  if (!isWellFormed(text)) return false;
  const isObject: boolean[] = [];
  const lastKey: (string | null)[] = [];
  let depth = 0;
  let keyNext = false;
  let backslash = text.indexOf('\\');
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i, backslash);
      let value: string;
      if (backslash < 0 || backslash > end) {
        value = text.slice(i + 1, end);
      } else {
        const token = text.slice(i, end + 1);
        value = JSON.parse(token) as string;
        if (JSON.stringify(value) !== token) return false;
        backslash = text.indexOf('\\', end + 1);
      }
      if (keyNext) {
        const last = lastKey[depth]!;
        if (last !== null && !(last < value)) return false;
        lastKey[depth] = value;
      } else {
        parts.push(value);
      }
      i = end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > LIMITS.maxJsonDepth) return false;
      isObject[depth] = keyNext = c === 0x7b;
      lastKey[depth] = null;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      keyNext = false;
      i++;
    } else if (c === 0x2c) {
      keyNext = isObject[depth]!;
      i++;
    } else if (c === 0x3a) {
      keyNext = false;
      i++;
    } else if (c === 0x74 || c === 0x6e) {
      i += 4; // true, null
    } else if (c === 0x66) {
      i += 5; // false
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      if (JSON.stringify(Number(token)) !== token) return false; // also 1e400 (Infinity writes "null") and -0
      i = j;
    } else {
      return false; // whitespace
    }
  }
  return true;
}

/** The index of the quote that closes the string opening at `i`; `backslash` is the first `\` at or after it (or -1). */
function stringEnd(text: string, i: number, backslash: number): number {
  let q = text.indexOf('"', i + 1);
  if (backslash < 0 || backslash > q) return q;
  for (;;) {
    let b = q - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q; // an even run of backslashes escapes only itself
    q = text.indexOf('"', q + 1);
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string has no lone surrogate. */
function isWellFormed(text: string): boolean {
  const native = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(text) : !LONE_SURROGATE.test(text);
}

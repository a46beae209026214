import { collectBlobRefs, isBlobRefValue, type BlobRef } from './artifacts/blobRef';
import { entryTooDeep } from './artifacts/entry';
import { canonicalize, jsonDepthExceeds, type Json } from './json';
import { LIMITS } from './limits';
import { searchText } from './searchText';

/** What an append needs of one body. */
export interface EncodedBody {
  /** The body's canonical JSON: exactly {@link canonicalize}'s text. */
  readonly text: string;
  /** What the body contributes to full-text search: exactly {@link searchText} of the body. */
  readonly searchText: string;
}

/**
 * Check and encode one entry's body in a single walk: the depth limit, its canonical text, the blobs it
 * references (added to `refs`) and its search text. The result, and any error, are exactly those of the
 * separate functions applied in order (`jsonDepthExceeds` → {@link entryTooDeep}, then `canonicalize`,
 * `collectBlobRefs`, `searchText`), which remain the reference: a body the walk does not accept is handed to
 * them, so each error keeps its code and message.
 */
export function encodeBody(body: unknown, ordinal: number, refs: Map<string, BlobRef>): EncodedBody {
  const walk = new Walk();
  if (walk.value(body, 0)) {
    for (const ref of walk.refs) refs.set(ref.hash, ref);
    return { text: walk.text.join(''), searchText: walk.search.join(' ') };
  }
  if (jsonDepthExceeds(body, LIMITS.maxJsonDepth)) throw entryTooDeep(ordinal);
  const text = canonicalize(body); // throws what the body is refused for
  // Reached only by a body that reads differently from one walk to the next (getters, proxies): the reference
  // decides, and everything else is derived from the text it wrote, which is what is stored. The body as read
  // now may be deeper than the depth check saw, or reference other blobs than the text does.
  const value = JSON.parse(text) as Json;
  if (jsonDepthExceeds(value, LIMITS.maxJsonDepth)) throw entryTooDeep(ordinal);
  collectBlobRefs(value, refs);
  return { text, searchText: searchText(value) };
}

const MAX_DEPTH = LIMITS.maxJsonDepth;

/** One walk's output. A method returns false as soon as the body is not one the fast path accepts. */
class Walk {
  readonly text: string[] = [];
  readonly search: string[] = [];
  readonly refs: BlobRef[] = [];

  value(v: unknown, depth: number): boolean {
    switch (typeof v) {
      case 'string':
        if (NEEDS_ESCAPE.test(v)) this.text.push(JSON.stringify(v));
        else this.text.push('"', v, '"');
        this.search.push(v);
        return true;
      case 'number':
        if (!Number.isFinite(v)) return false;
        this.text.push(`${v}`); // a finite number's JSON form is its ToString (so -0 is "0")
        return true;
      case 'boolean':
        this.text.push(v ? 'true' : 'false');
        return true;
      case 'object':
        if (v === null) {
          this.text.push('null');
          return true;
        }
        // As jsonDepthExceeds: a container at depth d (the root at 0) is nesting level d + 1.
        if (depth >= MAX_DEPTH) return false;
        return Array.isArray(v) ? this.array(v, depth + 1) : this.object(v, depth + 1);
      default:
        return false;
    }
  }

  private array(a: readonly unknown[], depth: number): boolean {
    this.text.push('[');
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.text.push(',');
      if (!this.value(a[i], depth)) return false;
    }
    this.text.push(']');
    return true;
  }

  private object(o: object, depth: number): boolean {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) return false;
    const keys = Object.keys(o);
    if (!isSorted(keys)) keys.sort();
    const record = o as Record<string, unknown>;
    // A blob reference is judged by the values this walk writes, each read once (a getter or a proxy may
    // answer differently to a second read): the references are always those of the text.
    let blob: unknown;
    let size: unknown;
    const slot = this.refs.length; // the reference lists an object before what it holds
    this.text.push('{');
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const v = record[key];
      if (v === undefined) continue;
      if (key === '$blob') blob = v;
      else if (key === 'size') size = v;
      if (NEEDS_ESCAPE.test(key)) this.text.push(first ? '' : ',', JSON.stringify(key), ':');
      else this.text.push(first ? '"' : ',"', key, '":');
      first = false;
      if (!this.value(v, depth)) return false;
    }
    this.text.push('}');
    if (blob !== undefined) {
      const ref = { $blob: blob, size };
      if (isBlobRefValue(ref)) this.refs.splice(slot, 0, { hash: ref.$blob, size: ref.size });
    }
    return true;
  }
}

/** Whether keys are already in UTF-16 code unit order (what `sort()` without a comparator gives). */
function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/**
 * A string without these is its own JSON form between quotes. JSON.stringify escapes controls, `"` and `\\`,
 * and lone surrogates; a string with any surrogate is left to it (paired ones are then written as they are).
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;


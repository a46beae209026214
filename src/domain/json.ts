import { CairnError } from './errors';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Canonical JSON: object keys sorted by UTF-16 code units (as RFC 8785), no insignificant whitespace,
 * numbers and strings as ECMAScript's JSON.stringify writes them. No trailing newline here; artifacts
 * add exactly one (see {@link canonicalBytes}).
 */
export function canonicalize(value: unknown): string {
  return canonicalizeOr(value, notCanonicalizable);
}

function notCanonicalizable(at: string, why: string): Error {
  return new CairnError('JSON_NOT_CANONICALIZABLE', `value at $${at} cannot be written as JSON: ${why}`);
}

/**
 * {@link canonicalize}, throwing what `fail` makes of a value that has no JSON form: `at` is where in the
 * value (`.key[0]`, empty for the value itself), `why` what is wrong there.
 */
export function canonicalizeOr(value: unknown, fail: (at: string, why: string) => Error): string {
  try {
    return encode(value);
  } catch (err) {
    if (err instanceof NotJson) throw fail(err.path.join(''), err.why);
    throw err;
  }
}

/** Canonical JSON document bytes: the canonical text plus one trailing `\n`, UTF-8. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(`${canonicalize(value)}\n`);
}

/** Raised deep inside `encode`; each level on the way out adds its key, so the hot path builds no paths. */
class NotJson extends Error {
  readonly path: string[] = [];
  constructor(readonly why: string) {
    super(why);
  }
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`the number ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return Array.isArray(value) ? encodeArray(value) : encodeObject(value as Record<string, unknown>);
    default:
      throw new NotJson(`a ${typeof value} has no JSON form`);
  }
}

function encodeArray(value: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    try {
      out += encode(value[i]);
    } catch (err) {
      if (err instanceof NotJson) err.path.unshift(`[${i}]`);
      throw err;
    }
  }
  return `${out}]`;
}

function encodeObject(value: Record<string, unknown>): string {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new NotJson('only plain objects are JSON');
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    try {
      out += `${first ? '' : ','}${JSON.stringify(key)}:${encode(v)}`;
    } catch (err) {
      if (err instanceof NotJson) err.path.unshift(`.${key}`);
      throw err;
    }
    first = false;
  }
  return `${out}}`;
}

/** Whether a JSON value nests deeper than `max` arrays/objects. Iterative, so it is safe on hostile input. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decode: invalid byte sequences are an error, never silently replaced. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

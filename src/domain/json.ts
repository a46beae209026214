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
  const out: string[] = [];
  write(value, out, '$');
  return out.join('');
}

/** Canonical JSON document bytes: the canonical text plus one trailing `\n`, UTF-8. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(`${canonicalize(value)}\n`);
}

function write(value: unknown, out: string[], path: string): void {
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, `the number ${value} has no JSON form`);
      out.push(JSON.stringify(value));
      return;
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'object': {
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          write(value[i], out, `${path}[${i}]`);
        }
        out.push(']');
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) fail(path, 'only plain objects are JSON');
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      out.push('{');
      let first = true;
      for (const key of keys) {
        const v = obj[key];
        if (v === undefined) continue;
        if (!first) out.push(',');
        first = false;
        out.push(JSON.stringify(key), ':');
        write(v, out, `${path}.${key}`);
      }
      out.push('}');
      return;
    }
    default:
      fail(path, `a ${typeof value} has no JSON form`);
  }
}

function fail(path: string, why: string): never {
  throw new CairnError('JSON_NOT_CANONICALIZABLE', `value at ${path} cannot be written as JSON: ${why}`);
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

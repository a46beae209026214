// node:crypto is the one import from outside the domain that the layering rule allows here: SHA-256 is a
// pure function of its input (no I/O, no clock, no randomness). See docs/adr/0002-layers-and-plugins.md.
import { createHash } from 'node:crypto';

export type ContentHash = string & { readonly __brand: 'ContentHash' };

const HASH_RE = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): ContentHash {
  return createHash('sha256').update(bytes).digest('hex') as ContentHash;
}

export function isContentHash(value: unknown): value is ContentHash {
  return typeof value === 'string' && HASH_RE.test(value);
}

import { isContentHash, type ContentHash } from '../hash';
import type { Json } from '../json';

/**
 * An entry references a blob by embedding `{"$blob": "<sha256>", "size": <bytes>}` anywhere in its body.
 * Segments list the blobs their entries reference, so a closure can be checked without walking bodies.
 */
export interface BlobRef {
  readonly hash: ContentHash;
  readonly size: number;
}

export function blobRef(hash: ContentHash, size: number): { $blob: ContentHash; size: number } {
  return { $blob: hash, size };
}

export function isBlobRefValue(value: unknown): value is { $blob: ContentHash; size: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return isContentHash(v.$blob) && Number.isSafeInteger(v.size) && (v.size as number) >= 0;
}

/** Every blob referenced from a body, in no particular order. */
export function collectBlobRefs(body: Json, into: Map<string, BlobRef>): void {
  if (typeof body !== 'object' || body === null) return;
  if (Array.isArray(body)) {
    for (const item of body) collectBlobRefs(item, into);
    return;
  }
  if (isBlobRefValue(body)) into.set(body.$blob, { hash: body.$blob, size: body.size });
  for (const value of Object.values(body as Record<string, Json>)) collectBlobRefs(value, into);
}

/** Blob references sorted by hash, the canonical order in a segment header. */
export function sortedBlobRefs(refs: Map<string, BlobRef>): BlobRef[] {
  return [...refs.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
}

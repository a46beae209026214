/**
 * Where artifacts live, as plain bytes under keys `<origin>/<dir>/<name>`: the local store, and (through
 * the transport port that extends this one) shared folders, HTTP peers and S3 prefixes. Adapters move
 * bytes; the core owns names, encodings, verification and policy.
 */
export type PutOutcome = 'created' | 'identical' | 'conflict';

export interface ListOptions {
  readonly after?: string;
  readonly limit?: number;
}

export interface ArtifactStore {
  /**
   * Publish bytes under a key unless the key exists. Never overwrites. Returns `identical` when the key
   * holds exactly these bytes and `conflict` when it holds other bytes. A reader never sees a partly
   * written value under the key. Concurrent calls for one key: exactly one gets `created`.
   */
  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutOutcome>;
  /** The bytes under a key, or null when it is absent. */
  get(key: string): Promise<Uint8Array | null>;
  /** Whether a key is present, without reading it. */
  has(key: string): Promise<boolean>;
  /**
   * Keys under a prefix that ends with `/` (one level: no deeper keys), sorted ascending, never the
   * adapter's own temporary files. With `after`, only keys strictly greater than it; with `limit`, at most
   * that many: page by passing the last key of one page as `after` of the next.
   */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  /** Names of the top-level folders (the origins present), sorted. */
  origins(): Promise<string[]>;
  /** Remove a key; true when it existed. Used by GC and quarantine, never by normal writes. */
  delete(key: string): Promise<boolean>;
}

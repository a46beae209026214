import {
  CairnError,
  isSafeStoreKey,
  isSafeStorePrefix,
  MAX_ARTIFACT_WIRE_BYTES,
  PEER_LIST_MAX,
} from '../../domain';
import type { ArtifactStore, PutOutcome } from '../ports/ArtifactStore';

export interface ListPage {
  readonly keys: readonly string[];
  /** The last key when the page is full (there may be more: pass it as `after`), else null. */
  readonly next: string | null;
}

/**
 * What an HTTP peer serves, independent of HTTP (ADR 0008): a store's keys, bytes and origins, write-once
 * puts behind a policy, deletes behind a policy, and an import trigger. Errors are CairnErrors whose code the
 * server maps to a status.
 */
export interface PeerHost {
  origins(): Promise<string[]>;
  list(prefix: string, after: string | undefined, limit: number | undefined): Promise<ListPage>;
  get(key: string): Promise<Uint8Array | null>;
  has(key: string): Promise<boolean>;
  put(key: string, bytes: Uint8Array): Promise<PutOutcome>;
  delete(key: string): Promise<boolean>;
  /**
   * The largest body a key can hold (a put above it is refused before it is read); throws when the key is not
   * one this host serves, so a request is refused before it costs anything.
   */
  maxBytes(key: string): number;
  /** Import what was received; absent when this host does not import (a plain store). */
  importReceived?(): Promise<unknown>;
  /** Resolves when no import is running or waiting. */
  idle?(): Promise<void>;
}

export function requireSafeKey(key: string): void {
  if (!isSafeStoreKey(key)) {
    throw new CairnError('ARTIFACT_NAME_INVALID', `artifact key ${JSON.stringify(key.slice(0, 200))} is not <a>/<b>/<c> of safe names`);
  }
}

/** Page a listing: the cap applies whatever the client asks for. */
export async function listPage(store: ArtifactStore, prefix: string, after: string | undefined, limit: number | undefined): Promise<ListPage> {
  if (!isSafeStorePrefix(prefix)) throw new CairnError('INPUT_INVALID', `list prefix ${JSON.stringify(prefix.slice(0, 200))} is not <a>/<b>/ of safe names`);
  if (after !== undefined && after.length > 1024) throw new CairnError('INPUT_INVALID', 'list cursor "after" is over 1024 characters');
  const n = Math.min(limit ?? PEER_LIST_MAX, PEER_LIST_MAX);
  if (!Number.isSafeInteger(n) || n < 1) throw new CairnError('INPUT_INVALID', `list limit must be a positive integer, got ${limit}`);
  const keys = await store.list(prefix, { after, limit: n });
  return { keys, next: keys.length === n ? keys[keys.length - 1]! : null };
}

/**
 * A plain store behind the protocol: keys must be safe, bytes are stored as given, deletes go through, no
 * import. For adapters' contract tests and for serving a store that holds no artifacts of its own; never
 * what `cairn serve` runs (that is the verifying host of `Cairn.peerHost()`).
 */
export class RawPeerHost implements PeerHost {
  constructor(private readonly store: ArtifactStore) {}

  origins(): Promise<string[]> {
    return this.store.origins();
  }

  list(prefix: string, after: string | undefined, limit: number | undefined): Promise<ListPage> {
    return listPage(this.store, prefix, after, limit);
  }

  async get(key: string): Promise<Uint8Array | null> {
    requireSafeKey(key);
    return this.store.get(key);
  }

  async has(key: string): Promise<boolean> {
    requireSafeKey(key);
    return this.store.has(key);
  }

  async put(key: string, bytes: Uint8Array): Promise<PutOutcome> {
    requireSafeKey(key);
    return this.store.putIfAbsent(key, bytes);
  }

  async delete(key: string): Promise<boolean> {
    requireSafeKey(key);
    return this.store.delete(key);
  }

  maxBytes(key: string): number {
    requireSafeKey(key);
    return MAX_ARTIFACT_WIRE_BYTES;
  }
}

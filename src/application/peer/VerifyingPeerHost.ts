import { maxWireBytesForKey } from '../../domain';
import type { ArtifactStore, PutOutcome } from '../ports/ArtifactStore';
import { Coalescer } from '../services/Coalescer';
import type { ReceiveArtifact } from '../usecases/ReceiveArtifact';
import { listPage, requireSafeKey, type ListPage, type PeerHost } from './PeerHost';

/**
 * A cairn store as an HTTP peer (`cairn serve`): reads serve artifact keys only; puts are verified and
 * write-once (ReceiveArtifact); a delete removes only a damaged copy; import triggers coalesce, and one import
 * runs at a time (the facade serialises it with every other mutation).
 */
export class VerifyingPeerHost implements PeerHost {
  private readonly imports: Coalescer<unknown>;

  constructor(
    private readonly store: ArtifactStore,
    private readonly receive: ReceiveArtifact,
    importReceived: () => Promise<unknown>,
  ) {
    this.imports = new Coalescer(importReceived);
  }

  origins(): Promise<string[]> {
    return this.store.origins();
  }

  list(prefix: string, after: string | undefined, limit: number | undefined): Promise<ListPage> {
    return listPage(this.store, prefix, after, limit);
  }

  async get(key: string): Promise<Uint8Array | null> {
    requireSafeKey(key);
    this.receive.parse(key);
    return this.store.get(key);
  }

  async has(key: string): Promise<boolean> {
    requireSafeKey(key);
    this.receive.parse(key);
    return this.store.has(key);
  }

  async put(key: string, bytes: Uint8Array): Promise<PutOutcome> {
    requireSafeKey(key);
    return this.receive.put(key, bytes);
  }

  async delete(key: string): Promise<boolean> {
    requireSafeKey(key);
    return this.receive.deleteDamaged(key);
  }

  maxBytes(key: string): number {
    requireSafeKey(key);
    this.receive.parse(key);
    return maxWireBytesForKey(key);
  }

  importReceived(): Promise<unknown> {
    return this.imports.request();
  }

  idle(): Promise<void> {
    return this.imports.idle();
  }
}

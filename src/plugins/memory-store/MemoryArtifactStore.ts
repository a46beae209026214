import type { ArtifactStore, ListOptions, PutOutcome } from '../../application/ports';
import { CairnError } from '../../domain';

/** Artifacts in a Map: for tests and for embedding. Runs the same contract suite as the file store. */
export class MemoryArtifactStore implements ArtifactStore {
  private readonly objects = new Map<string, Uint8Array>();

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutOutcome> {
    checkKey(key);
    const existing = this.objects.get(key);
    if (existing) return Buffer.compare(Buffer.from(existing), Buffer.from(bytes)) === 0 ? 'identical' : 'conflict';
    this.objects.set(key, Uint8Array.from(bytes));
    return 'created';
  }

  async get(key: string): Promise<Uint8Array | null> {
    checkKey(key);
    const value = this.objects.get(key);
    return value ? Uint8Array.from(value) : null;
  }

  async has(key: string): Promise<boolean> {
    checkKey(key);
    return this.objects.has(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    if (!prefix.endsWith('/')) throw new CairnError('INTERNAL', `list prefix must end with "/": ${prefix}`);
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'))
      .filter((k) => options.after === undefined || k > options.after)
      .sort();
    return options.limit !== undefined ? keys.slice(0, options.limit) : keys;
  }

  async origins(): Promise<string[]> {
    return [...new Set([...this.objects.keys()].map((k) => k.slice(0, k.indexOf('/'))))].sort();
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.objects.delete(key);
  }
}

function checkKey(key: string): void {
  for (const part of key.split('/')) {
    if (part === '' || part === '.' || part === '..' || /[\\\0]/.test(part) || part.startsWith('.')) {
      throw new CairnError('ARTIFACT_NAME_INVALID', `artifact key ${JSON.stringify(key)} is not a safe relative path`);
    }
  }
}

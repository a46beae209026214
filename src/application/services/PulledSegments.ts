/**
 * The canonical bytes of segments a sync just pulled, verified and stored, kept for the import that follows
 * so that it does not read back and inflate what it has just verified (ADR 0013). Each is taken once. The
 * import decodes what it takes exactly as it decodes a local file: hash, header, every line. Bounded by
 * bytes: the oldest go first, and the import reads those from the store.
 */
export class PulledSegments {
  private readonly held = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  keep(key: string, canonical: Uint8Array): void {
    if (canonical.length > this.budget) return;
    this.drop(key);
    this.held.set(key, canonical);
    this.bytes += canonical.length;
    for (const [oldest, value] of this.held) {
      if (this.bytes <= this.budget) break;
      this.held.delete(oldest);
      this.bytes -= value.length;
    }
  }

  /** The bytes kept under a key, forgotten as they are handed out; undefined when none are. */
  take(key: string): Uint8Array | undefined {
    const value = this.held.get(key);
    if (value) this.drop(key);
    return value;
  }

  drop(key: string): void {
    const value = this.held.get(key);
    if (!value) return;
    this.held.delete(key);
    this.bytes -= value.length;
  }

  clear(): void {
    this.held.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.held.size;
  }
}

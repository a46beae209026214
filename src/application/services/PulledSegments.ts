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
    // What is held is charged by the memory it retains. A decoder may hand out a small view of a larger buffer
    // (zstd-napi inflates a frame without a declared size into 128 KiB chunks): such a view is held as a copy,
    // else thousands of small segments would retain gigabytes while counting kilobytes.
    const bytes = canonical.buffer.byteLength > 2 * canonical.byteLength ? new Uint8Array(canonical) : canonical;
    if (retained(bytes) > this.budget) return;
    this.drop(key);
    this.held.set(key, bytes);
    this.bytes += retained(bytes);
    for (const [oldest, value] of this.held) {
      if (this.bytes <= this.budget) break;
      this.held.delete(oldest);
      this.bytes -= retained(value);
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
    this.bytes -= retained(value);
  }

  clear(): void {
    this.held.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.held.size;
  }
}

/** The memory a held array keeps alive: its whole buffer. */
function retained(bytes: Uint8Array): number {
  return bytes.buffer.byteLength;
}

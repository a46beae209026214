import type { Entry } from './artifacts/entry';
import { CairnError } from './errors';
import { canonicalizeOr, type Json } from './json';
import { LazyEntry, type BodySource } from './lazyEntry';

/**
 * `$blob":` — in canonical JSON a raw `"` only ends a string, so these bytes occur iff an object has a key that
 * ends in `$blob` (every `$blob` key among them). Searched from its rare first byte, the scan is fast.
 */
const BLOB_KEY = Buffer.from('$blob":', 'latin1');

/**
 * The canonical JSON texts of a run of bodies, as UTF-8 byte ranges of buffers that hold them (a journal file's
 * bytes, read once): export copies them into segments without decoding, parsing or encoding them again. A body
 * is parsed only when something asks for it (see {@link entry}).
 */
export class BodyTexts implements BodySource {
  private readonly data: Buffer[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Parsed bodies, when some texts were made from them (an old journal line); else null. */
  private parsed: (Json | undefined)[] | null = null;
  /** The next `$blob":` at or after `blobFrom` in `blobData` (-1: none), so scanning a buffer in order is linear. */
  private blobData: Buffer | null = null;
  private blobFrom = 0;
  private blobAt = -1;

  /** Texts made from bodies (each encoded here); `fail` makes the error for a body with no JSON form. */
  static fromBodies(bodies: readonly Json[], fail: (at: string, why: string) => Error): BodyTexts {
    const texts = new BodyTexts();
    for (const body of bodies) {
      const bytes = Buffer.from(canonicalizeOr(body, fail), 'utf8');
      texts.push(bytes, 0, bytes.length, body);
    }
    return texts;
  }

  get length(): number {
    return this.starts.length;
  }

  /** Add `data[start, end)`, which must be a body's canonical JSON (the caller has verified it). */
  push(data: Buffer, start: number, end: number, parsed?: Json): void {
    if (parsed !== undefined) {
      this.parsed ??= [];
      this.parsed[this.starts.length] = parsed;
    }
    this.data.push(data);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Add the `i`-th text of another run (no bytes are copied). */
  pushFrom(other: BodyTexts, i: number): void {
    this.push(other.data[i]!, other.starts[i]!, other.ends[i]!, other.parsed?.[i]);
  }

  byteLength(i: number): number {
    return this.ends[i]! - this.starts[i]!;
  }

  /** Copy the `i`-th text into `target` at `at`; returns the bytes copied. */
  copy(i: number, target: Uint8Array, at: number): number {
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    target.set(this.data[i]!.subarray(start, end), at); // about twice as fast as Buffer#copy for a few hundred bytes
    return end - start;
  }

  text(i: number): string {
    return this.data[i]!.toString('utf8', this.starts[i]!, this.ends[i]!);
  }

  body(i: number): Json {
    const known = this.parsed?.[i];
    if (known !== undefined) return known;
    try {
      return JSON.parse(this.text(i)) as Json;
    } catch {
      throw new CairnError('STORE_CORRUPT', `a stored body text is not JSON; move the journal file aside and run \`cairn rebuild\``);
    }
  }

  /** Every body, parsed. */
  bodies(): Json[] {
    return this.starts.map((_, i) => this.body(i));
  }

  /**
   * Whether the `i`-th body may reference a blob: false means it has no `$blob` key anywhere, so it needs no
   * parsing to list the blobs of a segment (true may be a key such as `a$blob`). Asked in order within a
   * buffer, the whole scan is linear.
   */
  mayReferenceBlobs(i: number): boolean {
    const data = this.data[i]!;
    const start = this.starts[i]!;
    if (data !== this.blobData || start < this.blobFrom || (this.blobAt >= 0 && this.blobAt < start)) {
      this.blobData = data;
      this.blobFrom = start;
      this.blobAt = data.indexOf(BLOB_KEY, start);
    }
    return this.blobAt >= 0 && this.blobAt + BLOB_KEY.length <= this.ends[i]!;
  }

  /** The `i`-th text as an entry; its body is parsed on first access (export and the origin's read model need none). */
  entry(i: number, ordinal: number, ts: string): Entry {
    return new LazyEntry(ordinal, ts, this, i);
  }
}

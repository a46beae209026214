import {
  blobRefPath,
  CairnError,
  canonicalize,
  collectBlobRefs,
  entryLineOf,
  entryTooDeep,
  globalId,
  isIsoUtc,
  isJsonObject,
  jsonDepthExceeds,
  LIMITS,
  resolveStreamRef,
  toIso,
  type BlobRef,
  type GlobalId,
  type Json,
  type JsonObject,
  type JournalRecord,
  type OriginId,
} from '../../domain';
import type { EventBus } from '../EventBus';
import type { Clock } from '../ports/Clock';
import type { Journal } from '../ports/Journal';
import type { ProgressSink } from '../ports/Progress';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { LocalStreams } from '../services/LocalStreams';

export interface AppendOptions {
  /** The stream's kind, fixed when the stream is created (default `log`). */
  readonly kind?: string;
  /** Free JSON attributes of a new stream's header. */
  readonly attrs?: JsonObject;
  readonly onProgress?: ProgressSink;
}

export interface AppendResult {
  readonly stream: GlobalId;
  readonly appended: number;
  /** The last ordinal of the stream after the append, or null for an empty stream. */
  readonly lastOrdinal: number | null;
}

/** Journal records hold at most this many canonical bytes of bodies, so one record stays a modest line. */
const RECORD_BYTES = 1024 * 1024;

/**
 * Append entries to one of this origin's streams. Every body is checked before anything is written (bad
 * input appends nothing); then the entries go to the journal in records of bounded size, each durable
 * before its entries become visible in the read model.
 */
export class AppendEntries {
  constructor(
    private readonly origin: OriginId,
    private readonly journal: Journal,
    private readonly streams: LocalStreams,
    private readonly artifacts: ArtifactRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly isPurged: (gid: GlobalId) => boolean = () => false,
  ) {}

  async execute(streamRef: string, bodies: readonly Json[], options: AppendOptions = {}): Promise<AppendResult> {
    const ref = resolveStreamRef(streamRef, this.origin);
    if (ref.origin !== this.origin) {
      throw new CairnError('INPUT_INVALID', `stream ${ref.gid} belongs to origin ${ref.origin}: only its origin can append to it`);
    }
    checkHeaderOptions(options);
    if (this.isPurged(ref.gid)) {
      throw new CairnError('INPUT_INVALID', `stream ${ref.gid} was purged; a purged stream never comes back: append to another stream id`);
    }
    const ts = toIso(this.clock.now());
    if (!isIsoUtc(ts)) {
      throw new CairnError('INPUT_INVALID', `the clock reads ${ts}, which is not a valid ISO-8601 UTC time: fix the system clock`);
    }
    const state = await this.streams.load(ref.stream);
    const texts = await this.checkBodies(bodies, state.next, ts);
    if (state.header && options.kind !== undefined && options.kind !== state.header.kind) {
      throw new CairnError(
        'STREAM_KIND_MISMATCH',
        `stream ${ref.stream} is of kind "${state.header.kind}", not "${options.kind}": drop --kind or use another stream`,
      );
    }
    const gid = globalId(this.origin, ref.stream);
    let next = state.next;
    let header = state.header;
    for (let i = 0; i < bodies.length; ) {
      let j = i;
      let bytes = 0;
      while (j < bodies.length && j - i < LIMITS.maxBatchEntries && (j === i || bytes + texts[j]!.length <= RECORD_BYTES)) bytes += texts[j++]!.length;
      const records: JournalRecord[] = [];
      if (!header) {
        header = { kind: options.kind ?? 'log', createdAt: ts, attrs: options.attrs ?? {} };
        records.push({ t: 'header', header });
      }
      const chunk = bodies.slice(i, j);
      const chunkTexts = texts.slice(i, j);
      records.push({ t: 'entries', from: next, ts, bodies: chunk, texts: chunkTexts });
      await this.journal.append(ref.stream, records);
      const entries = chunk.map((body, k) => ({ ordinal: next + k, ts, body }));
      this.streams.noteAppended(ref.stream, header, next, chunk.length);
      this.bus.publish({ type: 'EntriesAppended', origin: this.origin, stream: ref.stream, gid, header, entries, texts: chunkTexts });
      next += chunk.length;
      i = j;
      options.onProgress?.({ phase: 'append', done: i, total: bodies.length });
    }
    return { stream: gid, appended: bodies.length, lastOrdinal: next > 0 ? next - 1 : null };
  }

  /**
   * Every body must be canonical JSON within the size and depth limits, and every blob it references must be
   * stored. Returns each body's canonical JSON (encoded once, here, for the journal and the read model).
   */
  private async checkBodies(bodies: readonly Json[], first: number, ts: string): Promise<string[]> {
    const refs = new Map<string, BlobRef>();
    const texts = bodies.map((body, i) => {
      if (jsonDepthExceeds(body, LIMITS.maxJsonDepth)) throw entryTooDeep(first + i);
      const text = canonicalize(body);
      entryLineOf(first + i, ts, text); // the size limit is on the entry's line
      collectBlobRefs(body, refs);
      return text;
    });
    for (const ref of refs.values()) {
      if (!(await this.artifacts.has(this.origin, blobRefPath(ref.hash)))) {
        throw new CairnError('INPUT_INVALID', `an entry references blob ${ref.hash.slice(0, 12)}… which is not in the store: add it with putBlob first`);
      }
    }
    return texts;
  }
}

function checkHeaderOptions(options: AppendOptions): void {
  if (options.kind !== undefined && (typeof options.kind !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(options.kind))) {
    throw new CairnError('INPUT_INVALID', `stream kind ${JSON.stringify(options.kind)} is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -`);
  }
  if (options.attrs !== undefined) {
    if (!isJsonObject(options.attrs) || Object.getPrototypeOf(options.attrs) !== Object.prototype) {
      throw new CairnError('INPUT_INVALID', 'stream attrs must be a plain JSON object');
    }
    if (jsonDepthExceeds(options.attrs, LIMITS.maxJsonDepth) || canonicalize(options.attrs).length > 64 * 1024) {
      throw new CairnError('INPUT_INVALID', `stream attrs must nest at most ${LIMITS.maxJsonDepth} deep and be at most 64 KiB`);
    }
  }
}

import {
  blobRefPath,
  CairnError,
  canonicalize,
  encodeBody,
  entriesRecordOf,
  entriesFromTexts,
  entryLineOf,
  globalId,
  isIsoUtc,
  isJsonObject,
  jsonDepthExceeds,
  LIMITS,
  resolveStreamRef,
  toIso,
  type BlobRef,
  type EncodedBody,
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
    const attrs = checkHeaderOptions(options);
    if (this.isPurged(ref.gid)) {
      throw new CairnError('INPUT_INVALID', `stream ${ref.gid} was purged; a purged stream never comes back: append to another stream id`);
    }
    const ts = toIso(this.clock.now());
    if (!isIsoUtc(ts)) {
      throw new CairnError('INPUT_INVALID', `the clock reads ${ts}, which is not a valid ISO-8601 UTC time: fix the system clock`);
    }
    const state = await this.streams.load(ref.stream);
    const encoded = await this.checkBodies(bodies, state.next, ts);
    if (state.header && options.kind !== undefined && options.kind !== state.header.kind) {
      throw new CairnError(
        'STREAM_KIND_MISMATCH',
        `stream ${ref.stream} is of kind "${state.header.kind}", not "${options.kind}": drop --kind or use another stream`,
      );
    }
    const gid = globalId(this.origin, ref.stream);
    let next = state.next;
    let header = state.header;
    // From here on, only the texts: the caller's list (and its bodies) may change while this append runs.
    for (let i = 0; i < encoded.length; ) {
      let j = i;
      let bytes = 0;
      while (j < encoded.length && j - i < LIMITS.maxBatchEntries && (j === i || bytes + encoded[j]!.text.length <= RECORD_BYTES)) bytes += encoded[j++]!.text.length;
      const records: JournalRecord[] = [];
      if (!header) {
        header = { kind: options.kind ?? 'log', createdAt: ts, attrs };
        records.push({ t: 'header', header });
      }
      const chunk = encoded.slice(i, j);
      const texts = chunk.map((e) => e.text);
      // The journal, the read model and subscribers get the bodies as they were encoded, never the caller's
      // objects: the caller may change those while this append still runs (its lock and writes yield). Each
      // body is parsed from its text only if someone reads it (the journal and the read model use the texts).
      const entries = entriesFromTexts(next, ts, texts);
      records.push(entriesRecordOf(entries, texts));
      await this.journal.append(ref.stream, records);
      this.streams.noteAppended(ref.stream, header, next, chunk.length);
      const searchTexts = chunk.map((e) => e.searchText);
      this.bus.publish({ type: 'EntriesAppended', origin: this.origin, stream: ref.stream, gid, header, entries, texts, searchTexts });
      next += chunk.length; // never the published list's length: a subscriber may change that list
      i = j;
      options.onProgress?.({ phase: 'append', done: i, total: encoded.length });
    }
    return { stream: gid, appended: encoded.length, lastOrdinal: next > 0 ? next - 1 : null };
  }

  /**
   * Every body must be canonical JSON within the size and depth limits, and every blob it references must be
   * stored. Returns each body's canonical JSON and search text (one walk per body, here, for the journal, the
   * read model and subscribers).
   */
  private async checkBodies(bodies: readonly Json[], first: number, ts: string): Promise<EncodedBody[]> {
    if (!Array.isArray(bodies)) {
      throw new CairnError('INPUT_INVALID', `append takes an array of JSON bodies, not ${bodies === null ? 'null' : `a ${typeof bodies}`}: wrap a single body in [ ]`);
    }
    const refs = new Map<string, BlobRef>();
    const encoded: EncodedBody[] = [];
    for (let i = 0; i < bodies.length; i++) {
      const body = encodeBody(bodies[i], first + i, refs);
      entryLineOf(first + i, ts, body.text); // the size limit is on the entry's line
      encoded.push(body);
    }
    for (const ref of refs.values()) {
      if (!(await this.artifacts.has(this.origin, blobRefPath(ref.hash)))) {
        throw new CairnError('INPUT_INVALID', `an entry references blob ${ref.hash.slice(0, 12)}… which is not in the store: add it with putBlob first`);
      }
    }
    return encoded;
  }
}

/**
 * Check the header options; returns a copy of the attributes made from their canonical text (what the journal
 * and the read model get), so a caller that changes its object, or whose getters answer differently from one
 * read to the next, cannot change what is stored after it was checked.
 */
function checkHeaderOptions(options: AppendOptions): JsonObject {
  if (options.kind !== undefined && (typeof options.kind !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(options.kind))) {
    throw new CairnError('INPUT_INVALID', `stream kind ${JSON.stringify(options.kind)} is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -`);
  }
  if (options.attrs === undefined) return {};
  if (!isJsonObject(options.attrs) || Object.getPrototypeOf(options.attrs) !== Object.prototype) {
    throw new CairnError('INPUT_INVALID', 'stream attrs must be a plain JSON object');
  }
  const tooLarge = () => new CairnError('INPUT_INVALID', `stream attrs must nest at most ${LIMITS.maxJsonDepth} deep and be at most 64 KiB`);
  if (jsonDepthExceeds(options.attrs, LIMITS.maxJsonDepth)) throw tooLarge();
  const text = canonicalize(options.attrs);
  const attrs = JSON.parse(text) as Json;
  if (text.length > 64 * 1024 || jsonDepthExceeds(attrs, LIMITS.maxJsonDepth)) throw tooLarge();
  return attrs as JsonObject; // an object: canonicalize wrote a plain object's text
}

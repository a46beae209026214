import {
  blobRefPath,
  CairnError,
  collectBlobRefs,
  entryLine,
  globalId,
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
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { LocalStreams } from '../services/LocalStreams';

export interface AppendOptions {
  /** The stream's kind, fixed when the stream is created (default `log`). */
  readonly kind?: string;
  /** Free JSON attributes of a new stream's header. */
  readonly attrs?: JsonObject;
}

export interface AppendResult {
  readonly stream: GlobalId;
  readonly appended: number;
  /** The last ordinal of the stream after the append, or null for an empty stream. */
  readonly lastOrdinal: number | null;
}

/** Append entries to one of this origin's streams: durable in the journal, then visible in the read model. */
export class AppendEntries {
  constructor(
    private readonly origin: OriginId,
    private readonly journal: Journal,
    private readonly streams: LocalStreams,
    private readonly artifacts: ArtifactRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  async execute(streamRef: string, bodies: readonly Json[], options: AppendOptions = {}): Promise<AppendResult> {
    const ref = resolveStreamRef(streamRef, this.origin);
    if (ref.origin !== this.origin) {
      throw new CairnError('INPUT_INVALID', `stream ${ref.gid} belongs to origin ${ref.origin}: only its origin can append to it`);
    }
    if (options.kind !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(options.kind)) {
      throw new CairnError('INPUT_INVALID', `stream kind ${JSON.stringify(options.kind)} is invalid: use 1-64 characters from A-Z a-z 0-9 . _ -`);
    }
    if (bodies.length > LIMITS.maxBatchEntries) {
      throw new CairnError('INPUT_INVALID', `${bodies.length} entries in one append is over the ${LIMITS.maxBatchEntries} limit: append in batches`);
    }
    const state = await this.streams.load(ref.stream);
    const ts = toIso(this.clock.now());
    await this.checkBodies(bodies, state.next, ts);
    if (state.header && options.kind !== undefined && options.kind !== state.header.kind) {
      throw new CairnError(
        'STREAM_KIND_MISMATCH',
        `stream ${ref.stream} is of kind "${state.header.kind}", not "${options.kind}": drop --kind or use another stream`,
      );
    }
    const gid = globalId(this.origin, ref.stream);
    if (bodies.length === 0) {
      return { stream: gid, appended: 0, lastOrdinal: state.next > 0 ? state.next - 1 : null };
    }
    const header = state.header ?? { kind: options.kind ?? 'log', createdAt: ts, attrs: options.attrs ?? {} };
    const records: JournalRecord[] = [];
    if (!state.header) records.push({ t: 'header', header });
    records.push({ t: 'entries', from: state.next, ts, bodies });
    await this.journal.append(ref.stream, records);
    const entries = bodies.map((body, i) => ({ ordinal: state.next + i, ts, body }));
    this.streams.noteAppended(ref.stream, header, entries);
    this.bus.publish({ type: 'EntriesAppended', origin: this.origin, stream: ref.stream, gid, header, entries });
    return { stream: gid, appended: bodies.length, lastOrdinal: state.next + bodies.length - 1 };
  }

  /** Every body must be canonical JSON within the entry limit, and every blob it references must be stored. */
  private async checkBodies(bodies: readonly Json[], first: number, ts: string): Promise<void> {
    const refs = new Map<string, BlobRef>();
    bodies.forEach((body, i) => {
      entryLine({ ordinal: first + i, ts, body });
      collectBlobRefs(body, refs);
    });
    for (const ref of refs.values()) {
      if (!(await this.artifacts.has(this.origin, blobRefPath(ref.hash)))) {
        throw new CairnError('INPUT_INVALID', `an entry references blob ${ref.hash.slice(0, 12)}… which is not in the store: add it with putBlob first`);
      }
    }
  }
}

import {
  BodyTexts,
  CairnError,
  type CheckpointState,
  type ContentHash,
  type Entry,
  type Manifest,
  type OriginId,
  type StreamHeader,
  type StreamId,
} from '../../domain';
import type { Journal } from '../ports/Journal';
import type { ArtifactRepository } from './ArtifactRepository';
import type { CheckpointReader } from './CheckpointReader';

/** Everything known about one of this origin's streams: sealed (in segments) and pending (journal). */
export interface LocalStreamState {
  readonly stream: StreamId;
  readonly header: StreamHeader | null;
  readonly manifest: Manifest | null;
  readonly manifestHash: ContentHash | null;
  /** Entries sealed into segments. */
  readonly sealed: number;
  /** The next ordinal to append (`next - sealed` entries are acknowledged and not exported yet). */
  readonly next: number;
}

/** A stream's state with its acknowledged, not yet exported entries (ordinals from `sealed`), read from the journal. */
export interface PendingStream extends LocalStreamState {
  /** The entries; a body is parsed from its text only when it is read. */
  readonly pending: readonly Entry[];
  /** Each pending entry's body as canonical JSON (same order): what export seals, without encoding it again. */
  readonly texts: BodyTexts;
}

/**
 * Reads this origin's streams from the store (the newest own checkpoint and its manifests) and the
 * journal. The store is the authority; the read model is only a projection of it. Pending bodies are never
 * kept in memory: they are read back from the journal when they are exported, so memory does not grow with
 * what is pending, and a caller that changes a body object after `append` cannot change what is sealed.
 */
export class LocalStreams {
  private cached: { state: CheckpointState | null } | null = null;
  /** Streams already read in this process (without their bodies): appends update them instead of re-reading the journal. */
  private readonly streams = new Map<StreamId, LocalStreamState>();

  constructor(
    private readonly origin: OriginId,
    private readonly artifacts: ArtifactRepository,
    private readonly checkpoints: CheckpointReader,
    private readonly journal: Journal,
  ) {}

  /** This origin's newest published state (memoised until `invalidate`). */
  async published(): Promise<CheckpointState | null> {
    if (!this.cached) this.cached = { state: await this.checkpoints.latest(this.origin) };
    return this.cached.state;
  }

  /** Forget the cached published state (another process may have exported; the lock will make this exact). */
  invalidatePublished(): void {
    this.cached = null;
  }

  /** Forget everything read so far (after an export, or when another process may have written). */
  invalidate(): void {
    this.cached = null;
    this.streams.clear();
  }

  /**
   * Forget what was read of these streams (their journals were just removed): a state read from a journal that
   * held only a stream header (an append torn after it) would otherwise keep that header, and the next append
   * would write entries without one.
   */
  forget(streams: readonly StreamId[]): void {
    for (const stream of streams) this.streams.delete(stream);
  }

  /** Record entries that were just appended durably, so the next load needs no journal read. */
  noteAppended(stream: StreamId, header: StreamHeader, from: number, count: number): void {
    const state = this.streams.get(stream);
    if (!state || count === 0 || from !== state.next) {
      this.streams.delete(stream);
      return;
    }
    this.streams.set(stream, { ...state, header, next: state.next + count });
  }

  async load(stream: StreamId): Promise<LocalStreamState> {
    return this.streams.get(stream) ?? this.remember(await this.read(stream));
  }

  /** The stream with its pending entries, read from the journal (never from a cache). */
  async pending(stream: StreamId): Promise<PendingStream> {
    const state = await this.read(stream);
    this.remember(state);
    return state;
  }

  /** Cache a stream's state without its bodies. */
  private remember({ pending: _bodies, texts: _texts, ...state }: PendingStream): LocalStreamState {
    this.streams.set(state.stream, state);
    return state;
  }

  private async read(stream: StreamId): Promise<PendingStream> {
    const published = await this.published();
    const manifestHash = published?.streams.get(stream) ?? null;
    const manifest = manifestHash ? await this.artifacts.manifest(this.origin, manifestHash) : null;
    const sealed = manifest?.entries ?? 0;
    let header: StreamHeader | null = manifest?.header ?? null;
    const pending: Entry[] = [];
    const texts = new BodyTexts();
    let next = sealed;
    for (const record of await this.journal.read(stream)) {
      if (record.t === 'header') {
        header ??= record.header;
        continue;
      }
      const count = record.texts.length;
      const end = record.from + count;
      if (end <= sealed) continue; // sealed by an export that crashed before it cleaned the journal
      if (record.from !== next && !(record.from < sealed && next === sealed)) {
        // Two writers raced (no lock), or the file was edited: never pick a winner silently.
        throw new CairnError(
          'STORE_CORRUPT',
          `journal of stream ${stream} has a record at ordinal ${record.from} where ${next} was expected; ` +
            'two processes may have appended at once: move the journal file aside and run `cairn rebuild`',
        );
      }
      for (let i = next - record.from; i < count; i++) {
        pending.push(record.texts.entry(i, record.from + i, record.ts));
        texts.pushFrom(record.texts, i);
      }
      next = end;
    }
    if (pending.length > 0 && header === null) {
      throw new CairnError('STORE_CORRUPT', `journal of stream ${stream} has entries but no stream header`);
    }
    return { stream, header, manifest, manifestHash, sealed, pending, texts, next };
  }
}

import type { Observable } from 'rxjs';
import { CairnError, parseArtifactKey, resolveStreamRef, type DomainEvent, type Json, type OriginId } from '../domain';
import { EventBus } from './EventBus';
import type { ArtifactStore } from './ports/ArtifactStore';
import type { Clock } from './ports/Clock';
import type { Codec } from './ports/Codec';
import type { Journal } from './ports/Journal';
import type { Quarantine } from './ports/Quarantine';
import type { Transport, TransportFactory, TransportOptions } from './ports/Transport';
import type { ProgressSink } from './ports/Progress';
import type { ConflictView, EntryView, ReadModel, SearchHit, StreamSummary } from './ports/ReadModel';
import type { MetadataField } from './ports/MetadataField';
import type { Lock, LockHolder, LockStatus } from './ports/Lock';
import { ArtifactRepository } from './services/ArtifactRepository';
import { CheckpointReader } from './services/CheckpointReader';
import { LocalStreams } from './services/LocalStreams';
import { HistoryGuard } from './services/HistoryGuard';
import { HlcClock } from './services/HlcClock';
import { MetaExchange } from './services/MetaExchange';
import { MetaPackPush } from './services/MetaPackPush';
import { MetaImporter } from './services/MetaImporter';
import { MetaPacks } from './services/MetaPacks';
import { EditMetadata, type EditRequest } from './usecases/EditMetadata';
import { fenceLocal, fenceTransport } from './services/fenced';
import { StoreGuard } from './services/StoreGuard';
import { OriginImporter } from './services/OriginImporter';
import { PullOrigin } from './services/PullOrigin';
import { PushOrigin } from './services/PushOrigin';
import { SyncWithTarget, type SyncResult } from './usecases/SyncWithTarget';
import { AppendEntries, type AppendOptions, type AppendResult } from './usecases/AppendEntries';
import { ExportStore, type ExportResult } from './usecases/ExportStore';
import { PutBlob } from './usecases/PutBlob';
import { ImportReceived, type ImportReport } from './usecases/ImportReceived';
import { ReceiveArtifact } from './usecases/ReceiveArtifact';
import type { PeerHost } from './peer/PeerHost';
import { VerifyingPeerHost } from './peer/VerifyingPeerHost';
import { ReplayStore, type ReplayResult } from './usecases/ReplayStore';

export interface CairnDeps {
  readonly origin: OriginId;
  readonly home: string;
  readonly store: ArtifactStore;
  readonly journal: Journal;
  readonly codec: Codec;
  readonly readModel: ReadModel;
  readonly clock: Clock;
  readonly quarantine: Quarantine;
  /** Transport factories of every transport plugin loaded; `sync` picks one by URL scheme. */
  readonly transports: readonly TransportFactory[];
  /** Custom metadata fields registered by plugins (for `set`). */
  readonly metadataFields?: readonly MetadataField[];
  /** Own metadata events are folded into a pack once this many are unpacked (default 1024; tests lower it). */
  readonly metaPackThreshold?: number;
  /** An export publishes a checkpoint once it holds this many entries (default 16,384; tests lower it). */
  readonly exportBatchEntries?: number;
  /**
   * How often a sync reads back one of the packs a target lists, per origin, to heal it if damaged (default
   * 15 minutes; 0: at every sync). See ADR 0010.
   */
  readonly metaPackAuditMs?: number;
  /** The store's lock, held by every mutation for its whole run (none: in-process exclusion only). */
  readonly lock?: Lock;
  /** How long a mutation waits for the lock before LOCK_HELD (default 30 s). */
  readonly lockTimeoutMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export interface StatusReport {
  readonly origin: OriginId;
  readonly home: string;
  readonly codec: string;
  readonly streams: number;
  readonly entries: number;
  /** Acknowledged entries not exported yet. */
  readonly pending: number;
  /** This origin's newest checkpoint seq (0 before the first export). */
  readonly checkpoint: number;
  readonly origins: readonly {
    origin: OriginId;
    checkpoint: number;
    published: number;
    present: number;
    lastPublishedAt: string | null;
    streams: number;
    entries: number;
    conflicts: number;
  }[];
}

/**
 * The library's front door: one store, opened for one origin. Mutations are serialised, in this process and
 * across processes (the store's lock, held for each whole operation; see StoreGuard); every accepted write is
 * published on `events$` and folded into the read model before the call returns.
 */
export class Cairn {
  private readonly guard: StoreGuard;
  private readonly bus: EventBus;
  private readonly hlc: HlcClock;
  private readonly artifacts: ArtifactRepository;
  /**
   * The store outside the fence: for reads outside any mutation (status), which the fence would stop when the
   * running mutation is interrupted or ends, and for a peer's verified puts (serve), which never wait for it.
   */
  private readonly reader: ArtifactRepository;
  private readonly localStreams: LocalStreams;
  private readonly appendEntries: AppendEntries;
  private readonly exportStore: ExportStore;
  private readonly replayStore: ReplayStore;
  private readonly putBlobUseCase: PutBlob;
  private readonly syncUseCase: SyncWithTarget;
  private readonly editMetadata: EditMetadata;
  private readonly importReceivedUseCase: ImportReceived;
  private closed = false;
  /** A mutation failed part-way: the next one first replays the store into the read model (see `mutating`). */
  private lagging = false;

  /** Every event the store accepts (RxJS). Subscribing never affects the read model. */
  readonly events$: Observable<DomainEvent>;

  constructor(private readonly deps: CairnDeps) {
    this.guard = new StoreGuard(deps.lock ?? null, deps.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, () => this.othersWrote());
    this.bus = new EventBus(() => this.guard.check());
    this.events$ = this.bus.events$;
    // Every write the use cases make passes the fence: none reaches the store once the lock is lost.
    const { origin, store, codec, journal, readModel, clock, quarantine } = fenceLocal(deps, this.guard);
    this.artifacts = new ArtifactRepository(store, codec);
    this.reader = new ArtifactRepository(deps.store, deps.codec);
    const checkpoints = new CheckpointReader(this.artifacts);
    this.localStreams = new LocalStreams(origin, this.artifacts, checkpoints, journal);
    this.appendEntries = new AppendEntries(origin, journal, this.localStreams, this.artifacts, this.bus, clock, (gid) => readModel.isPurged(gid));
    this.exportStore = new ExportStore(origin, journal, this.localStreams, this.artifacts, this.bus, clock, deps.exportBatchEntries);
    const guard = new HistoryGuard(this.artifacts, readModel);
    const importer = new OriginImporter(this.artifacts, checkpoints, readModel, this.bus, quarantine, clock, guard);
    const packs = new MetaPacks(this.artifacts, deps.metaPackThreshold);
    // This origin's newest event: the newer of the last single event file (packs sort after them) and the
    // end of the newest pack (any single file a pack folds may have been collected, the newest ones too).
    const ownTail = async (): Promise<{ hlc: string; stem: string } | null> => {
      const keys = await store.list(`${origin}/meta/`);
      let single: string | null = null;
      for (let i = keys.length - 1; i >= 0 && single === null; i--) {
        const parsed = parseArtifactKey(keys[i]!);
        if (parsed?.ref.kind === 'meta') single = `${parsed.ref.hlc}-${parsed.ref.hash}`;
      }
      const packed = await packs.newestPacked(origin);
      const stem = single !== null && (packed === null || single > packed) ? single : packed;
      return stem ? { hlc: stem.slice(0, stem.indexOf('-')), stem } : null;
    };
    const hlc = (this.hlc = new HlcClock(clock, readModel, async () => (await ownTail())?.hlc ?? null));
    const metaImporter = new MetaImporter(this.artifacts, readModel, this.bus, quarantine, clock, hlc, origin, packs);
    this.replayStore = new ReplayStore(origin, this.artifacts, importer, journal, this.localStreams, readModel, this.bus, metaImporter);
    this.importReceivedUseCase = new ImportReceived(origin, this.artifacts, importer, metaImporter, readModel);
    this.syncUseCase = new SyncWithTarget(
      origin,
      this.exportStore,
      new PullOrigin(this.artifacts, checkpoints, readModel, codec, quarantine, clock, guard),
      new PushOrigin(this.artifacts, checkpoints, readModel, codec),
      this.artifacts,
      readModel,
      new MetaExchange(this.artifacts, readModel, quarantine, clock, packs, codec, new MetaPackPush(this.artifacts, readModel, quarantine, clock, packs, codec, deps.metaPackAuditMs)),
      this.importReceivedUseCase,
      packs,
    );
    this.editMetadata = new EditMetadata(origin, this.artifacts, readModel, this.bus, hlc, deps.metadataFields ?? [], async () => (await ownTail())?.stem ?? null);
    this.putBlobUseCase = new PutBlob(origin, this.artifacts, this.bus);
    for (const projection of readModel.projections) this.bus.attach(projection);
  }

  get origin(): OriginId {
    return this.deps.origin;
  }

  get home(): string {
    return this.deps.home;
  }

  /** Catch the read model up with the store (after a crash, or when the database was deleted). */
  catchUp(onProgress?: ProgressSink, options: { lockTimeoutMs?: number } = {}): Promise<ReplayResult> {
    return this.mutating(() => this.replayStore.execute(onProgress), { lockTimeoutMs: options.lockTimeoutMs, replays: true });
  }

  append(stream: string, bodies: readonly Json[], options?: AppendOptions): Promise<AppendResult> {
    return this.mutating(() => this.appendEntries.execute(stream, bodies, options));
  }

  putBlob(bytes: Uint8Array): ReturnType<PutBlob['execute']> {
    return this.mutating(() => this.putBlobUseCase.execute(bytes));
  }

  export(onProgress?: ProgressSink): Promise<ExportResult> {
    return this.mutating(() => this.exportStore.execute(onProgress));
  }

  /** Edit metadata (rename, star, pin, trash, restore, purge, set): `{event}` is the HLC, or null for a no-op. */
  meta(request: EditRequest): Promise<{ event: string | null }> {
    return this.mutating(() => this.editMetadata.execute(request));
  }

  /** The conflict log: losing concurrent edits, never dropped. */
  conflicts(stream?: string): ConflictView[] {
    return this.deps.readModel.conflicts(stream === undefined ? undefined : resolveStreamRef(stream, this.origin).gid);
  }

  /**
   * Sync with a target (a folder path or `file://` URL, or a URL another transport plugin handles):
   * export, pull what we lack, import, push what the target lacks.
   */
  sync(target: string, options: TransportOptions & { onProgress?: ProgressSink } = {}): Promise<SyncResult> {
    return this.mutating(async () => {
      const transport = fenceTransport(await this.openTarget(target, options), this.guard);
      try {
        return await this.syncUseCase.execute(transport, options.onProgress);
      } finally {
        await transport.close();
      }
    });
  }

  /** Import what peers delivered into this store (an HTTP `serve` receiving puts), as a sync's import step does. */
  importReceived(): Promise<ImportReport> {
    return this.mutating(() => this.importReceivedUseCase.execute());
  }

  /**
   * This store as an HTTP peer serves it (ADR 0008): verified write-once puts from other origins, never under
   * this origin; deletes of damaged copies only; coalesced imports. Serve it with `servePeer` from the package.
   */
  peerHost(): PeerHost {
    // Received artifacts are other origins' write-once, content-addressed files, verified first: they are
    // stored without the store's lock (a peer's put must not wait for a local sync); the import that applies
    // them takes the lock.
    const receive = new ReceiveArtifact(this.origin, this.deps.store, this.reader, this.deps.codec);
    return new VerifyingPeerHost(this.deps.store, receive, () => this.importReceived());
  }

  /** Open a target through the transport plugin that handles its URL scheme. */
  async openTarget(target: string, options: TransportOptions = {}): Promise<Transport> {
    const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target);
    const scheme = m && !/^[a-z]:\\/i.test(target) ? m[1]!.toLowerCase() : 'file';
    const factory = this.deps.transports.find((t) => t.schemes.includes(scheme));
    if (!factory) {
      throw new CairnError('PLUGIN_UNKNOWN', `no transport plugin handles "${scheme}" targets (${target}); known: ${this.deps.transports.flatMap((t) => t.schemes).join(', ')}`);
    }
    return factory.create(target, options);
  }

  /** Delete the read model and replay the whole store into an empty one. */
  rebuild(onProgress?: ProgressSink): Promise<ReplayResult & { ms: number }> {
    return this.mutating(
      async () => {
        const started = this.deps.clock.now();
        this.deps.readModel.reset();
        const result = await this.replayStore.execute(onProgress);
        return { ...result, ms: this.deps.clock.now() - started };
      },
      { replays: true },
    );
  }

  streams(options: { origin?: OriginId; includeTrashed?: boolean } = {}): StreamSummary[] {
    return this.deps.readModel.listStreams(options);
  }

  show(stream: string, options: { from?: number; limit?: number } = {}): { stream: StreamSummary; entries: EntryView[] } {
    const ref = resolveStreamRef(stream, this.origin);
    const summary = this.deps.readModel.getStream(ref.gid);
    if (!summary) throw new CairnError('STREAM_NOT_FOUND', `no stream ${ref.gid} here: list streams with \`cairn streams\``);
    const from = options.from ?? 0;
    const limit = options.limit ?? 1000;
    if (!Number.isSafeInteger(from) || from < 0) throw new CairnError('INPUT_INVALID', `--from must be a non-negative integer, got ${from}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new CairnError('INPUT_INVALID', `--limit must be a positive integer, got ${limit}`);
    return { stream: summary, entries: this.deps.readModel.entries(ref.gid, from, limit) };
  }

  search(query: string, options: { limit?: number } = {}): SearchHit[] {
    if (query.trim().length === 0) throw new CairnError('INPUT_INVALID', 'the search query is empty: give at least one word');
    return this.deps.readModel.search(query, options.limit ?? 50);
  }

  async status(): Promise<StatusReport> {
    const rm = this.deps.readModel;
    const streams = rm.listStreams({ includeTrashed: true });
    // Read from the store, not from LocalStreams' memo: another process may have exported since this one
    // last held the lock (status takes no lock, so nothing would have refreshed it).
    const published = (await this.reader.checkpointSeqs(this.origin)).at(-1) ?? 0;
    const origins = [];
    for (const o of rm.origins()) {
      const present = (await this.reader.checkpointSeqs(o.origin)).at(-1) ?? 0;
      origins.push({
        origin: o.origin,
        checkpoint: o.checkpoint,
        published: present,
        present,
        lastPublishedAt: o.publishedAt,
        streams: o.streams,
        entries: o.entries,
        conflicts: o.conflicts,
      });
    }
    return {
      origin: this.origin,
      home: this.home,
      codec: this.deps.codec.name,
      streams: streams.length,
      entries: streams.reduce((n, s) => n + s.entries, 0),
      pending: streams.filter((s) => s.origin === this.origin).reduce((n, s) => n + (s.entries - s.sealed), 0),
      checkpoint: published,
      origins,
    };
  }

  /** This origin's global id for a local stream id. */
  gid(stream: string): string {
    return resolveStreamRef(stream, this.origin).gid;
  }

  /** Who holds the store's lock (`stale` when its lease ran out or its process died), or null. */
  lockStatus(): Promise<LockStatus | null> {
    return this.guard.status();
  }

  /** Break the store's lock whoever holds it (its holder stops before its next write); returns who held it. */
  forceReleaseLock(): Promise<LockHolder | null> {
    return this.guard.forceRelease();
  }

  /**
   * Stop the running mutation before its next write and refuse new ones (Ctrl-C). Resolves when it has
   * settled; after a bounded wait, `abandonLock` gives the lock up even if it has not.
   */
  interrupt(): Promise<void> {
    return this.guard.interrupt();
  }

  abandonLock(): Promise<void> {
    return this.guard.abandon();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.bus.complete();
    this.deps.readModel.close();
  }

  /**
   * Run `work` under the guard. A mutation that failed after a write (the lock lost between an export's
   * checkpoint and its events, a projection that threw) may have left the read model behind the store: the
   * next one first catches it up, as the next open would, so a long-lived instance never keeps a stale read
   * model. Work that `replays` the store itself (catch-up, rebuild) needs no catch-up first, and ends the lag.
   */
  private mutating<T>(work: () => Promise<T>, options: { lockTimeoutMs?: number; replays?: boolean } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new CairnError('INTERNAL', 'this cairn instance is closed'));
    return this.guard.run(
      async () => {
        if (this.lagging && !options.replays) {
          await this.replayStore.execute();
          this.lagging = false;
        }
        const before = this.guard.writes;
        try {
          const result = await work();
          if (options.replays) this.lagging = false;
          return result;
        } catch (err) {
          if (this.guard.writes > before) this.lagging = true;
          throw err;
        }
      },
      { timeoutMs: options.lockTimeoutMs },
    );
  }

  /** Someone else held the lock since we last did: forget what this process cached of the store. */
  private othersWrote(): void {
    this.localStreams.invalidate();
    this.hlc.reload();
    this.deps.readModel.revalidate();
  }
}

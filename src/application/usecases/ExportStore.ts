import {
  buildManifest,
  CairnError,
  checkpointRef,
  encodeCheckpoint,
  encodeManifest,
  globalId,
  manifestRef,
  nextCheckpoint,
  planSegments,
  segmentRef,
  toIso,
  type CheckpointState,
  type ContentHash,
  type DomainEvent,
  type OriginId,
  type SegmentDescriptor,
  type StreamId,
} from '../../domain';
import type { EventBus } from '../EventBus';
import type { Clock } from '../ports/Clock';
import type { Journal } from '../ports/Journal';
import type { ProgressSink } from '../ports/Progress';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { LocalStreams } from '../services/LocalStreams';

export interface ExportResult {
  /** The checkpoint seq published, or null when nothing was new. */
  readonly checkpoint: number | null;
  readonly streams: number;
  readonly segments: number;
  /** Bytes written (as stored, compressed). */
  readonly bytes: number;
}

/**
 * Entries an export holds (in the events that wait for their checkpoint) before it publishes a checkpoint
 * and lets them go: a large backlog is sealed in several checkpoints, so memory follows this bound (and the
 * largest stream's backlog), never the whole backlog.
 */
export const EXPORT_BATCH_ENTRIES = 16_384;

/**
 * Seal the journal into segments, then manifests, then a checkpoint (publish order: segments →
 * manifests → checkpoint; blobs were published when they were added). Old segments are never rewritten:
 * a manifest appends the new segments to its list. An export with nothing new publishes nothing; one with a
 * large backlog publishes a checkpoint per batch of streams (see EXPORT_BATCH_ENTRIES).
 */
export class ExportStore {
  constructor(
    private readonly origin: OriginId,
    private readonly journal: Journal,
    private readonly streams: LocalStreams,
    private readonly artifacts: ArtifactRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly batchEntries = EXPORT_BATCH_ENTRIES,
  ) {
    if (!Number.isSafeInteger(batchEntries) || batchEntries < 1) {
      throw new CairnError('INPUT_INVALID', `exportBatchEntries must be a positive integer, got ${String(batchEntries)}`);
    }
  }

  async execute(onProgress?: ProgressSink): Promise<ExportResult> {
    this.streams.invalidatePublished(); // another process may have published since we last looked
    const names = await this.journal.streams();
    const batch = new Batch(await this.streams.published());
    const result = { checkpoint: null as number | null, streams: 0, segments: 0, bytes: 0 };
    let done = 0;
    for (const stream of names) {
      const state = await this.streams.pending(stream);
      batch.drained.push(stream);
      if (state.pending.length > 0 && state.header) {
        const gid = globalId(this.origin, stream);
        const descriptors: SegmentDescriptor[] = [...(state.manifest?.segments ?? [])];
        for (const seg of planSegments(this.origin, stream, state.pending, state.texts)) {
          const put = await this.artifacts.publish(this.origin, segmentRef(seg.hash), seg.bytes);
          result.bytes += put.storedBytes;
          result.segments++;
          descriptors.push({ hash: seg.hash, from: seg.header.from, to: seg.header.to, bytes: seg.bytes.length });
          const entries = state.pending.slice(seg.header.from - state.sealed, seg.header.to - state.sealed);
          batch.events.push({ type: 'SegmentAccepted', origin: this.origin, stream, gid, hash: seg.hash, header: state.header, entries });
        }
        batch.held += state.pending.length;
        const manifest = buildManifest(this.origin, stream, state.header, descriptors);
        const encoded = encodeManifest(manifest);
        const put = await this.artifacts.publish(this.origin, manifestRef(encoded.hash), encoded.bytes);
        result.bytes += put.storedBytes;
        result.streams++;
        batch.changed.set(stream, encoded.hash);
        batch.events.push({ type: 'ManifestAccepted', origin: this.origin, stream, gid, hash: encoded.hash, manifest });
      }
      onProgress?.({ phase: 'export', done: ++done, total: names.length });
      if (batch.held >= this.batchEntries) await this.seal(batch, result);
    }
    await this.seal(batch, result);
    return result;
  }

  /**
   * Publish the batch's checkpoint, then its events (the read model never shows as sealed what no checkpoint
   * holds), then drain the journals it sealed. A crash before the drain leaves sealed entries in a journal,
   * which LocalStreams skips and the next export removes.
   */
  private async seal(batch: Batch, result: { checkpoint: number | null; bytes: number }): Promise<void> {
    if (batch.changed.size > 0) {
      const checkpoint = nextCheckpoint(this.origin, batch.current, batch.changed, toIso(this.clock.now()));
      const encoded = encodeCheckpoint(checkpoint);
      const put = await this.artifacts.publish(this.origin, checkpointRef(checkpoint.seq), encoded.bytes);
      result.bytes += put.storedBytes;
      result.checkpoint = checkpoint.seq;
      this.streams.invalidate();
      batch.events.push({ type: 'CheckpointAccepted', origin: this.origin, hash: encoded.hash, checkpoint });
      for (const event of batch.events) this.bus.publish(event);
      const streams = new Map(batch.current?.streams ?? []);
      for (const [id, hash] of batch.changed) streams.set(id, hash);
      batch.current = { seq: checkpoint.seq, hash: encoded.hash, publishedAt: checkpoint.publishedAt, streams };
    }
    try {
      await this.journal.remove(batch.drained);
    } finally {
      this.streams.forget(batch.drained); // even if only some were removed
    }
    batch.events = [];
    batch.changed.clear();
    batch.drained = [];
    batch.held = 0;
  }
}

/** What an export has sealed since its last checkpoint. */
class Batch {
  events: DomainEvent[] = [];
  readonly changed = new Map<StreamId, ContentHash>();
  drained: StreamId[] = [];
  held = 0;
  constructor(public current: CheckpointState | null) {}
}

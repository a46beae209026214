import {
  buildManifest,
  checkpointRef,
  encodeCheckpoint,
  encodeManifest,
  globalId,
  manifestRef,
  nextCheckpoint,
  planSegments,
  segmentRef,
  toIso,
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
 * Seal the journal into segments, then manifests, then one checkpoint (publish order: segments →
 * manifests → checkpoint; blobs were published when they were added). Old segments are never rewritten:
 * a manifest appends the new segments to its list. An export with nothing new publishes nothing.
 */
export class ExportStore {
  constructor(
    private readonly origin: OriginId,
    private readonly journal: Journal,
    private readonly streams: LocalStreams,
    private readonly artifacts: ArtifactRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  async execute(onProgress?: ProgressSink): Promise<ExportResult> {
    this.streams.invalidatePublished(); // another process may have published since we last looked
    const names = await this.journal.streams();
    // Events wait until the checkpoint is durable: the read model never shows as sealed what no checkpoint holds.
    const events: DomainEvent[] = [];
    const current = await this.streams.published();
    const changed = new Map<StreamId, ContentHash>();
    const drained: StreamId[] = [];
    let segments = 0;
    let bytes = 0;
    let done = 0;
    const total = names.length;
    for (const stream of names) {
      const state = await this.streams.load(stream);
      drained.push(stream);
      if (state.pending.length === 0 || !state.header) continue;
      const gid = globalId(this.origin, stream);
      const descriptors: SegmentDescriptor[] = [...(state.manifest?.segments ?? [])];
      for (const seg of planSegments(this.origin, stream, state.pending)) {
        const put = await this.artifacts.publish(this.origin, segmentRef(seg.hash), seg.bytes);
        bytes += put.storedBytes;
        segments++;
        descriptors.push({ hash: seg.hash, from: seg.header.from, to: seg.header.to, bytes: seg.bytes.length });
        const entries = state.pending.slice(seg.header.from - state.sealed, seg.header.to - state.sealed);
        events.push({ type: 'SegmentAccepted', origin: this.origin, stream, gid, hash: seg.hash, header: state.header, entries });
      }
      const manifest = buildManifest(this.origin, stream, state.header, descriptors);
      const encoded = encodeManifest(manifest);
      const put = await this.artifacts.publish(this.origin, manifestRef(encoded.hash), encoded.bytes);
      bytes += put.storedBytes;
      changed.set(stream, encoded.hash);
      events.push({ type: 'ManifestAccepted', origin: this.origin, stream, gid, hash: encoded.hash, manifest });
      onProgress?.({ phase: 'export', done: ++done, total });
    }
    let seq: number | null = null;
    if (changed.size > 0) {
      const checkpoint = nextCheckpoint(this.origin, current, changed, toIso(this.clock.now()));
      const encoded = encodeCheckpoint(checkpoint);
      const put = await this.artifacts.publish(this.origin, checkpointRef(checkpoint.seq), encoded.bytes);
      bytes += put.storedBytes;
      seq = checkpoint.seq;
      this.streams.invalidate();
      events.push({ type: 'CheckpointAccepted', origin: this.origin, hash: encoded.hash, checkpoint });
      for (const event of events) this.bus.publish(event);
    }
    // The checkpoint is durable: what it seals can leave the journal. A crash before this point leaves
    // sealed entries in the journal, which LocalStreams skips and the next export removes.
    for (const stream of drained) await this.journal.replace(stream, []);
    return { checkpoint: seq, streams: changed.size, segments, bytes };
  }
}

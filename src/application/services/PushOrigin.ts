import {
  artifactKey,
  blobRefPath,
  CairnError,
  checkpointRef,
  isCairnError,
  manifestRef,
  parseArtifactKey,
  segmentRef,
  sha256Hex,
  type ArtifactRef,
  type CheckpointState,
  type ContentHash,
  type OriginId,
} from '../../domain';
import type { Codec } from '../ports/Codec';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';
import type { ArtifactRepository } from './ArtifactRepository';
import { verifyArtifact } from './ArtifactVerifier';
import type { CheckpointReader } from './CheckpointReader';
import type { ExchangeCounts } from './SyncCounts';

const PAGE = 1000;

/**
 * Push what a target lacks of one origin, up to `limit` (this origin: its newest checkpoint; another
 * origin: the checkpoint the read model applied, so only complete, verified closures are relayed). Order:
 * blobs, segments, manifests, then checkpoints ascending, so a reader never meets a checkpoint before the
 * pieces it names. Only the closure delta since the target's newest checkpoint is considered.
 */
export class PushOrigin {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly checkpoints: CheckpointReader,
    private readonly readModel: ReadModel,
    private readonly codec: Codec,
  ) {}

  async execute(target: Transport, origin: OriginId, limit: number, counts: ExchangeCounts): Promise<void> {
    if (limit < 1) return;
    const remote = await this.targetNewest(target, origin, limit);
    if (remote > 0) await this.checkSameHistory(target, origin, Math.min(remote, limit), counts);
    if (remote >= limit) {
      this.readModel.setSyncCursor(target.url, origin, remote);
      return;
    }
    let from: CheckpointState | null = null;
    if (remote > 0) from = await this.checkpoints.at(origin, remote).catch(() => null);
    const to = await this.checkpoints.at(origin, limit);
    for (const [stream, hash] of to.streams) {
      const old = from?.streams.get(stream);
      if (old === hash) continue;
      const manifest = await this.artifacts.manifest(origin, hash);
      const known = old ? new Set((await this.artifacts.manifest(origin, old)).segments.map((s) => s.hash)) : new Set<string>();
      for (const seg of manifest.segments) {
        if (known.has(seg.hash)) continue;
        for (const blob of await this.artifacts.segmentBlobs(origin, seg.hash)) await this.copy(target, origin, blobRefPath(blob.hash), counts);
        await this.copy(target, origin, segmentRef(seg.hash), counts);
      }
    }
    // Checkpoints older than the chain that resolves `limit` may be missing here (they arrived out of order,
    // or were collected): readers resolve from the newest snapshot, so copy the ones held. Every manifest
    // they name goes first (an older manifest's segments are a prefix of the newer one's, pushed above), so
    // a push interrupted between two checkpoints leaves only checkpoints whose closure is complete.
    const held = new Set(await this.artifacts.checkpointSeqs(origin));
    const seqs = [];
    for (let seq = remote + 1; seq <= limit; seq++) if (held.has(seq)) seqs.push(seq);
    const manifests = new Set<ContentHash>(to.streams.values());
    for (const seq of seqs) {
      const cp = await this.artifacts.checkpoint(origin, seq);
      for (const hash of Object.values(cp?.checkpoint.streams ?? {})) manifests.add(hash);
    }
    for (const hash of manifests) {
      if (from && [...from.streams.values()].includes(hash)) continue;
      if (await this.artifacts.has(origin, manifestRef(hash))) await this.copy(target, origin, manifestRef(hash), counts);
    }
    for (const seq of seqs) await this.copy(target, origin, checkpointRef(seq), counts);
    this.readModel.setSyncCursor(target.url, origin, limit);
  }

  /**
   * The target's newest checkpoint seq for an origin, up to `limit` (a higher seq there is not ours to
   * trust: it may be forged), listed after the cursor of the last sync.
   */
  private async targetNewest(target: Transport, origin: OriginId, limit: number): Promise<number> {
    let cursor = Math.min(this.readModel.syncCursor(target.url, origin), limit);
    if (cursor > 0 && !(await target.has(artifactKey(origin, checkpointRef(cursor))))) cursor = 0; // the target was reset
    let newest = cursor;
    let after = cursor > 0 ? artifactKey(origin, checkpointRef(cursor)) : undefined;
    for (;;) {
      const keys = await target.list(`${origin}/checkpoints/`, { after, limit: PAGE });
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind === 'checkpoint' && parsed.origin === origin && parsed.ref.seq <= limit) newest = Math.max(newest, parsed.ref.seq);
      }
      if (keys.length < PAGE) return newest;
      after = keys[keys.length - 1];
    }
  }

  /**
   * The target's checkpoint `seq` must be ours: another store under this origin id is a fork, never merged.
   * A damaged copy there is healed.
   */
  private async checkSameHistory(target: Transport, origin: OriginId, seq: number, counts: ExchangeCounts): Promise<void> {
    const ref = checkpointRef(seq);
    const theirs = await target.get(artifactKey(origin, ref));
    const ours = await this.artifacts.readCanonical(origin, ref);
    if (!theirs || !ours) return;
    if (Buffer.compare(Buffer.from(theirs), Buffer.from(ours)) === 0) return;
    let theirHash = sha256Hex(theirs);
    try {
      theirHash = sha256Hex((await verifyArtifact(this.codec, origin, ref, theirs)).canonical);
    } catch (err) {
      if (!isCairnError(err)) throw err;
      await this.copy(target, origin, ref, counts); // a damaged copy there: replace it with ours
      return;
    }
    throw new CairnError(
      'ARTIFACT_CONFLICT',
      `checkpoint ${seq} of ${origin} differs here (${sha256Hex(ours).slice(0, 12)}) and at ${target.url} (${theirHash.slice(0, 12)}): ` +
        'two stores publish under one origin id (reused, or a store rebuilt from scratch); nothing was overwritten',
    );
  }

  /** Copy one artifact as stored here; a damaged copy at the target is replaced, a valid different one is a conflict. */
  private async copy(target: Transport, origin: OriginId, ref: ArtifactRef, counts: ExchangeCounts): Promise<void> {
    const key = artifactKey(origin, ref);
    const raw = await this.artifacts.readRaw(origin, ref);
    if (!raw) throw new CairnError('STORE_CORRUPT', `${key} is missing from the local store; run \`cairn verify\``);
    if (ref.kind === 'blob' || ref.kind === 'checkpoint') await verifyArtifact(this.codec, origin, ref, raw); // never relay damage
    let outcome = await target.putIfAbsent(key, raw);
    if (outcome === 'conflict') outcome = await this.resolveConflict(target, origin, ref, raw);
    if (outcome === 'created') {
      counts.pushed++;
      counts.bytesPushed += raw.length;
    }
  }

  private async resolveConflict(target: Transport, origin: OriginId, ref: ArtifactRef, raw: Uint8Array): Promise<'created' | 'identical'> {
    const key = artifactKey(origin, ref);
    const ours = (await verifyArtifact(this.codec, origin, ref, raw)).canonical;
    const existing = await target.get(key);
    if (existing) {
      try {
        const theirs = (await verifyArtifact(this.codec, origin, ref, existing)).canonical;
        if (sha256Hex(theirs) === sha256Hex(ours)) return 'identical';
        throw new CairnError('ARTIFACT_CONFLICT', `${key} at ${target.url} holds other content; nothing was overwritten`);
      } catch (err) {
        if (isCairnError(err, 'ARTIFACT_CONFLICT') || !isCairnError(err)) throw err;
      }
    }
    await target.delete(key); // a damaged copy (a partial write, another tool's truncation): heal it
    const retry = await target.putIfAbsent(key, raw);
    if (retry === 'conflict') throw new CairnError('ARTIFACT_CONFLICT', `${key} at ${target.url} keeps changing under us; retry the sync`);
    return retry;
  }
}

import { CairnError } from '../errors';
import { isContentHash, sha256Hex, type ContentHash } from '../hash';
import { isStreamId, type OriginId, type StreamId } from '../ids';
import { canonicalBytes, isJsonObject } from '../json';
import { isIsoUtc } from '../time';
import { MAX_CHECKPOINT_SEQ } from './artifactPath';
import { checkKind, checkVersion, FORMAT_VERSION, invalidArtifact, parseJsonDocument, requireNonNegativeInt } from './format';

/**
 * An origin's published state number `seq`. A checkpoint is either a full snapshot (`full: true`, every
 * stream and its manifest) or a delta (only streams whose manifest changed since `seq - 1`). `prev` chains
 * each checkpoint to the one before, so the state at `seq` is the last snapshot at or before it plus the
 * deltas after. Checkpoints therefore stay small however large the archive grows (ADR 0003).
 */
export interface Checkpoint {
  readonly v: number;
  readonly kind: 'checkpoint';
  readonly origin: OriginId;
  readonly seq: number;
  readonly prev: ContentHash | null;
  readonly full: boolean;
  readonly publishedAt: string;
  readonly streams: Readonly<Record<string, ContentHash>>;
}

/** Every SNAPSHOT_INTERVAL-th checkpoint (and the first) is a full snapshot. */
export const SNAPSHOT_INTERVAL = 32;

export function isSnapshotSeq(seq: number): boolean {
  return seq === 1 || seq % SNAPSHOT_INTERVAL === 0;
}

export function encodeCheckpoint(cp: Checkpoint): { bytes: Uint8Array; hash: ContentHash } {
  const streams: Record<string, string> = {};
  for (const id of Object.keys(cp.streams).sort()) streams[id] = cp.streams[id]!;
  const bytes = canonicalBytes({
    full: cp.full,
    kind: 'checkpoint',
    origin: cp.origin,
    prev: cp.prev,
    publishedAt: cp.publishedAt,
    seq: cp.seq,
    streams,
    v: FORMAT_VERSION,
  });
  return { bytes, hash: sha256Hex(bytes) };
}

/** Verify and decode a checkpoint. `seq` is the number in its file name: the content must agree. */
export function decodeCheckpoint(bytes: Uint8Array, expect: { origin: OriginId; seq: number }): Checkpoint {
  const where = `checkpoint ${expect.seq} of ${expect.origin}`;
  const doc = parseJsonDocument(bytes, where);
  // What every version must agree on comes first, so a file of another kind, origin or seq is damage, never
  // mistaken for a checkpoint of a newer format.
  checkKind(doc, 'checkpoint', where);
  if (doc.origin !== expect.origin) throw invalidArtifact(where, `names origin ${JSON.stringify(doc.origin)}`);
  const seq = requireNonNegativeInt(doc, 'seq', where);
  if (seq !== expect.seq || seq < 1 || seq > MAX_CHECKPOINT_SEQ) throw invalidArtifact(where, `holds seq ${seq}, not the seq of its name`);
  checkVersion(doc, where);
  if (!(doc.prev === null || isContentHash(doc.prev))) throw invalidArtifact(where, `bad prev ${JSON.stringify(doc.prev)}`);
  if (seq === 1 && doc.prev !== null) throw invalidArtifact(where, 'the first checkpoint cannot have a prev');
  if (seq > 1 && doc.prev === null) throw invalidArtifact(where, 'a checkpoint after the first must name its prev');
  if (typeof doc.full !== 'boolean') throw invalidArtifact(where, '"full" must be true or false');
  if (seq === 1 && !doc.full) throw invalidArtifact(where, 'the first checkpoint must be full');
  if (!isIsoUtc(doc.publishedAt)) throw invalidArtifact(where, `bad publishedAt ${JSON.stringify(doc.publishedAt)}`);
  if (!isJsonObject(doc.streams)) throw invalidArtifact(where, '"streams" must be an object');
  const streams: Record<string, ContentHash> = {};
  for (const [id, hash] of Object.entries(doc.streams)) {
    if (!isStreamId(id) || !isContentHash(hash)) throw invalidArtifact(where, `bad stream entry ${JSON.stringify(id)}`);
    streams[id] = hash;
  }
  return {
    v: doc.v as number,
    kind: 'checkpoint',
    origin: expect.origin,
    seq,
    prev: doc.prev as ContentHash | null,
    full: doc.full,
    publishedAt: doc.publishedAt,
    streams,
  };
}

/** What a checkpoint chain resolves to: each stream's manifest hash at `seq`. */
export interface CheckpointState {
  readonly seq: number;
  readonly hash: ContentHash;
  readonly publishedAt: string;
  readonly streams: ReadonlyMap<StreamId, ContentHash>;
}

/**
 * Fold a chain (oldest first, starting at a full snapshot, each `prev` the hash of the one before) into the
 * state at its last checkpoint. Throws when the chain is broken.
 */
export function resolveCheckpointChain(chain: readonly { checkpoint: Checkpoint; hash: ContentHash }[]): CheckpointState {
  const first = chain[0];
  if (!first || !first.checkpoint.full) throw new CairnError('STORE_CORRUPT', 'a checkpoint chain must start at a full snapshot');
  const streams = new Map<StreamId, ContentHash>();
  let prev: { checkpoint: Checkpoint; hash: ContentHash } | undefined;
  for (const link of chain) {
    const cp = link.checkpoint;
    if (prev) {
      if (cp.seq !== prev.checkpoint.seq + 1 || cp.prev !== prev.hash) {
        throw new CairnError('STORE_CORRUPT', `checkpoint ${cp.seq} of ${cp.origin} does not follow checkpoint ${prev.checkpoint.seq}`);
      }
    }
    if (cp.full) streams.clear();
    for (const [id, hash] of Object.entries(cp.streams)) streams.set(id as StreamId, hash);
    prev = link;
  }
  const last = chain[chain.length - 1]!;
  return { seq: last.checkpoint.seq, hash: last.hash, publishedAt: last.checkpoint.publishedAt, streams };
}

/** Decide the next checkpoint given the current state and the streams whose manifest changed. Pure. */
export function nextCheckpoint(
  origin: OriginId,
  current: CheckpointState | null,
  changed: ReadonlyMap<StreamId, ContentHash>,
  publishedAt: string,
): Checkpoint {
  const seq = current ? current.seq + 1 : 1;
  const full = isSnapshotSeq(seq);
  const streams: Record<string, ContentHash> = {};
  if (full) {
    for (const [id, hash] of current?.streams ?? []) streams[id] = hash;
  }
  for (const [id, hash] of changed) streams[id] = hash;
  return { v: FORMAT_VERSION, kind: 'checkpoint', origin, seq, prev: current ? current.hash : null, full, publishedAt, streams };
}

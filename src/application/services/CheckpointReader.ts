import { CairnError, resolveCheckpointChain, type Checkpoint, type CheckpointState, type ContentHash, type OriginId } from '../../domain';
import type { ArtifactRepository } from './ArtifactRepository';

/**
 * Resolves an origin's published state: the newest checkpoint, folded with the chain back to its last
 * full snapshot. Reads at most SNAPSHOT_INTERVAL small files.
 */
export class CheckpointReader {
  constructor(private readonly artifacts: ArtifactRepository) {}

  /** The state at the newest checkpoint, or null when the origin has published none. */
  async latest(origin: OriginId): Promise<CheckpointState | null> {
    const seqs = await this.artifacts.checkpointSeqs(origin);
    const top = seqs[seqs.length - 1];
    return top === undefined ? null : this.at(origin, top);
  }

  /** The state at checkpoint `seq`. Throws STORE_CORRUPT when the chain to a snapshot is broken. */
  async at(origin: OriginId, seq: number): Promise<CheckpointState> {
    const chain: { checkpoint: Checkpoint; hash: ContentHash }[] = [];
    for (let s = seq; s >= 1; s--) {
      const link = await this.artifacts.checkpoint(origin, s);
      if (!link) {
        throw new CairnError('STORE_CORRUPT', `checkpoint ${s} of ${origin} is missing, so checkpoint ${seq} cannot be resolved`);
      }
      chain.unshift(link);
      if (link.checkpoint.full) break;
    }
    return resolveCheckpointChain(chain);
  }
}

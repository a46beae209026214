import { CairnError, globalId, type CheckpointState, type Manifest, type OriginId, type StreamId } from '../../domain';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from './ArtifactRepository';

/**
 * A newer checkpoint of an origin must continue what was imported from it: no stream that had sealed
 * entries disappears, and every manifest starts with the segments applied before (segments are never
 * rewritten). Anything else is another store under the same origin id (reused, or rebuilt from scratch),
 * and is never merged. The check costs what changed: one applied manifest per changed stream.
 */
export class HistoryGuard {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly readModel: ReadModel,
  ) {}

  checkStreams(origin: OriginId, state: CheckpointState): void {
    for (const known of this.readModel.listStreams({ origin, includeTrashed: true })) {
      if (known.sealed > 0 && !state.streams.has(known.stream as StreamId)) {
        throw fork(origin, state.seq, `stream ${known.stream} is missing from it`);
      }
    }
  }

  async checkManifest(origin: OriginId, seq: number, stream: StreamId, next: Manifest): Promise<void> {
    const appliedHash = this.readModel.streamPosition(globalId(origin, stream))?.manifest;
    if (!appliedHash) return;
    let applied: Manifest;
    try {
      applied = await this.artifacts.manifest(origin, appliedHash);
    } catch {
      return; // the applied manifest is gone (evicted or collected): nothing to compare with
    }
    if (!applied.segments.every((s, i) => next.segments[i]?.hash === s.hash)) {
      throw fork(origin, seq, `stream ${stream} rewrites segments applied from manifest ${appliedHash.slice(0, 12)}`);
    }
  }
}

function fork(origin: OriginId, seq: number, why: string): CairnError {
  return new CairnError(
    'ARTIFACT_CONFLICT',
    `checkpoint ${seq} of ${origin} does not continue what was imported here (${why}): two stores publish under ` +
      'one origin id (reused, or a store rebuilt from scratch); it was not imported',
  );
}

import { blobRef, blobRefPath, CairnError, LIMITS, sha256Hex, type ContentHash, type OriginId } from '../../domain';
import type { EventBus } from '../EventBus';
import type { ArtifactRepository } from '../services/ArtifactRepository';

/** Store opaque bytes as a blob (published at once: blobs come first in publish order) and return its reference. */
export class PutBlob {
  constructor(
    private readonly origin: OriginId,
    private readonly artifacts: ArtifactRepository,
    private readonly bus: EventBus,
  ) {}

  async execute(bytes: Uint8Array): Promise<{ $blob: ContentHash; size: number }> {
    if (bytes.length > LIMITS.maxBlobBytes) {
      throw new CairnError('INPUT_INVALID', `blob of ${bytes.length} bytes is over the ${LIMITS.maxBlobBytes}-byte limit`);
    }
    const hash = sha256Hex(bytes);
    const put = await this.artifacts.publish(this.origin, blobRefPath(hash), bytes);
    if (put.outcome === 'created') this.bus.publish({ type: 'BlobAccepted', origin: this.origin, hash, size: bytes.length });
    return blobRef(hash, bytes.length);
  }
}

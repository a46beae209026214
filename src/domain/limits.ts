/** Hard limits of format v1. Each has a clear error when exceeded. */
export const LIMITS = {
  /** One entry's canonical JSON line, in bytes. */
  maxEntryBytes: 1024 * 1024,
  /** A segment's canonical (uncompressed) bytes. Below zstd-codec's 5 MB ceiling on purpose. */
  maxSegmentBytes: 4 * 1024 * 1024,
  /** Entries per segment. */
  maxSegmentEntries: 4096,
  /** A manifest's or checkpoint's canonical bytes. */
  maxMetadataArtifactBytes: 16 * 1024 * 1024,
  /** A blob's bytes. */
  maxBlobBytes: 256 * 1024 * 1024,
  /** Entries per journal record: larger appends are written as several records, each durable. */
  maxBatchEntries: 1000,
  /** Nesting depth of an entry body or stream attributes (deeper values could overflow the stack). */
  maxJsonDepth: 64,
} as const;

/** The largest decoded size accepted for an artifact path, so a zstd bomb is refused before it is inflated. */
export function maxDecodedBytes(kind: 'segment' | 'manifest' | 'checkpoint' | 'meta' | 'metaPack' | 'blob'): number {
  switch (kind) {
    case 'segment':
      return LIMITS.maxSegmentBytes + 64 * 1024;
    case 'blob':
      return LIMITS.maxBlobBytes;
    case 'meta':
      return 64 * 1024;
    case 'metaPack':
      return 4 * 1024 * 1024;
    default:
      return LIMITS.maxMetadataArtifactBytes;
  }
}

/**
 * The zstd codec port. Artifacts named `.zst` are zstd frames whatever implementation wrote them, so any
 * codec plugin must read every other's output. Identity never depends on the codec: it is the hash of the
 * decoded bytes.
 */
export interface Codec {
  /** Plugin name, for status output. */
  readonly name: string;
  /** Compress to one zstd frame (level 3 unless the plugin's options say otherwise). */
  compress(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Decompress. Output larger than `maxBytes` fails with DECOMPRESSED_TOO_LARGE before it is fully inflated
   * (no zstd bombs); corrupt or truncated input fails with CODEC_FAILED; input that may be valid but needs
   * more than this implementation can give (a larger window, memory) fails with CODEC_UNSUPPORTED, never CODEC_FAILED.
   */
  decompress(data: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

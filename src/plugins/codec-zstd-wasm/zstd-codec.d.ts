/**
 * Types for the part of zstd-codec 0.1.5 this plugin uses: the Emscripten module under its wrapper. The
 * wrapper's own `Streaming.decompress` can neither stop at a size limit nor tell a truncated frame from a
 * complete one, so the codec drives the stream binding itself. Objects live on the wasm heap: `delete()` them.
 */
declare module 'zstd-codec/lib/module.js' {
  export interface WasmVectorU8 {
    resize(size: number, fill: number): void;
    size(): number;
    delete(): void;
  }

  export interface WasmZstdCodec {
    /** ZSTD_compressBound; negative on error. */
    compressBound(size: number): number;
    /** ZSTD_compress into `dest` (pre-sized); the compressed size, negative on error. */
    compress(dest: WasmVectorU8, src: WasmVectorU8, level: number): number;
    /** ZSTD_decompress into `dest` (pre-sized to the content size); the decoded size, negative on error. */
    decompress(dest: WasmVectorU8, src: WasmVectorU8): number;
    delete(): void;
  }

  export interface WasmDecompressStream {
    begin(): boolean;
    /** Feed compressed bytes; decoded bytes arrive as fresh copies. False when zstd reports an error. */
    transform(chunk: Uint8Array, onOutput: (bytes: Uint8Array) => void): boolean;
    end(onOutput: (bytes: Uint8Array) => void): boolean;
    delete(): void;
  }

  export interface ZstdWasmModule {
    VectorU8: new () => WasmVectorU8;
    ZstdCodec: new () => WasmZstdCodec;
    ZstdDecompressStreamBinding: new () => WasmDecompressStream;
    cloneToVector(vector: WasmVectorU8, bytes: Uint8Array): void;
    cloneAsTypedArray(vector: WasmVectorU8): Uint8Array;
  }

  /** Instantiate a fresh module (its own 16 MiB heap) and call `onReady` once it is initialised. */
  export function run(onReady: (module: ZstdWasmModule) => void): void;
}

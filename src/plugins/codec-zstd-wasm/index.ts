export { ZstdWasmCodec, ZSTD_WASM_MAX_LEVEL, maxWasmCompressBytes } from './ZstdWasmCodec';
export { zstdWasmPlugin } from './zstdWasmPlugin';
export { inspectZstdFrames, type ZstdFrameInfo } from './zstdFrames';

import type { WasmZstdCodec, ZstdWasmModule } from 'zstd-codec/lib/module.js';

/** A ready zstd-codec wasm instance and its codec object. */
export interface ZstdWasm {
  readonly module: ZstdWasmModule;
  readonly codec: WasmZstdCodec;
}

let loading: Promise<ZstdWasm> | undefined;

/**
 * The process-wide zstd-codec wasm instance, instantiated on first use (asynchronously) and cached. All codec
 * instances share it: each instance owns a fixed 16 MiB heap, so one is plenty.
 */
export function loadZstdWasm(): Promise<ZstdWasm> {
  loading ??= new Promise<ZstdWasm>((resolve, reject) => {
    try {
      // Loaded lazily: requiring the binding compiles ~700 KB of wasm glue.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { run } = require('zstd-codec/lib/module.js') as typeof import('zstd-codec/lib/module.js');
      run((module) => resolve({ module, codec: new module.ZstdCodec() }));
    } catch (err) {
      loading = undefined;
      reject(err);
    }
  });
  return loading;
}

/** Drop the instance after it aborted (Emscripten leaves its heap in an unknown state); the next call makes a new one. */
export function discardZstdWasm(): void {
  loading = undefined;
}

import { CairnError } from '../../domain/errors';
import { messageOf } from '../../application/ports/codecSupport';

/** The zstd-napi high-level API and its low-level binding. */
export interface ZstdNapi {
  readonly api: typeof import('zstd-napi');
  readonly binding: typeof import('zstd-napi/binding');
}

let loaded: ZstdNapi | undefined;

/**
 * Load the native addon on first use, not at import: a host where it failed to build can still import cairn
 * and pick the "zstd-wasm" plugin.
 */
export function loadZstdNapi(): ZstdNapi {
  if (!loaded) {
    try {
      /* eslint-disable @typescript-eslint/no-require-imports */
      loaded = { api: require('zstd-napi') as ZstdNapi['api'], binding: require('zstd-napi/binding') as ZstdNapi['binding'] };
      /* eslint-enable @typescript-eslint/no-require-imports */
    } catch (err) {
      throw new CairnError(
        'CODEC_FAILED',
        `the native zstd addon (zstd-napi) failed to load: ${messageOf(err)}; run "npm rebuild zstd-napi" or use the "zstd-wasm" codec plugin`,
      );
    }
  }
  return loaded;
}

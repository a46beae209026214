import { ContainerModule } from 'inversify';
import { definePlugin } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { parseZstdOptions, type ZstdOptions } from '../../application/ports/codecSupport';
import { ZSTD_WASM_MAX_LEVEL, ZstdWasmCodec } from './ZstdWasmCodec';

/**
 * The portable codec plugin: zstd compiled to wasm (zstd-codec), for hosts without the native addon.
 * Options: `{ level?: 1..5 }`, default 3 (higher levels do not fit a 4 MiB segment in its 16 MiB heap).
 */
export const zstdWasmPlugin = definePlugin<ZstdOptions>({
  name: 'zstd-wasm',
  kind: 'codec',
  fromOptions(options) {
    const why = ' (higher levels need more than its 16 MiB wasm heap; use the "zstd" plugin for them)';
    const level = parseZstdOptions('zstd-wasm', options, ZSTD_WASM_MAX_LEVEL, why);
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.Codec).toConstantValue(new ZstdWasmCodec(level));
    });
  },
});

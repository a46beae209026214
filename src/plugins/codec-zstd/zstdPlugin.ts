import { ContainerModule } from 'inversify';
import { definePlugin } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { ZstdNapiCodec } from './ZstdNapiCodec';
import { parseZstdOptions, type ZstdOptions } from '../../application/ports/codecSupport';

/** The default codec plugin: native zstd (zstd-napi). Options: `{ level?: 1..19 }`, default 3. */
export const zstdPlugin = definePlugin<ZstdOptions>({
  name: 'zstd',
  kind: 'codec',
  fromOptions(options) {
    const level = parseZstdOptions('zstd', options, 19);
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.Codec).toConstantValue(new ZstdNapiCodec(level));
    });
  },
});

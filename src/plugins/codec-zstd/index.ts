export { ZstdNapiCodec } from './ZstdNapiCodec';
export { zstdPlugin } from './zstdPlugin';
export type { ZstdOptions } from '../../application/ports/codecSupport';

import { ZstdNapiCodec } from '../../src/plugins/codec-zstd';
import { ZstdWasmCodec } from '../../src/plugins/codec-zstd-wasm';
import { codecContract } from '../../src/testing';

codecContract('zstd (zstd-napi)', () => new ZstdNapiCodec());
codecContract('zstd-wasm (zstd-codec)', () => new ZstdWasmCodec());
codecContract('zstd level 19', () => new ZstdNapiCodec(19));
codecContract('zstd-wasm level 5', () => new ZstdWasmCodec(5));

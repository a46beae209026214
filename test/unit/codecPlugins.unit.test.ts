import { Container } from 'inversify';
import type { Codec } from '../../src/application/ports/Codec';
import type { CairnPlugin } from '../../src/application/plugins';
import { TOKENS } from '../../src/application/tokens';
import { ZstdNapiCodec, zstdPlugin } from '../../src/plugins/codec-zstd';
import { ZstdWasmCodec, zstdWasmPlugin } from '../../src/plugins/codec-zstd-wasm';
import { expectCode } from '../../src/testing';

function resolveCodec(plugin: CairnPlugin<unknown>, options: unknown): Codec {
  const container = new Container();
  container.loadSync(plugin.fromOptions(options));
  return container.get<Codec>(TOKENS.Codec);
}

const plugins: Array<[string, CairnPlugin<unknown>, new (level?: number) => Codec]> = [
  ['zstd', zstdPlugin as CairnPlugin<unknown>, ZstdNapiCodec],
  ['zstd-wasm', zstdWasmPlugin as CairnPlugin<unknown>, ZstdWasmCodec],
];

describe.each(plugins)('codec plugin %s', (name, plugin, CodecClass) => {
  it('is a codec plugin', () => {
    expect(plugin.kind).toBe('codec');
    expect(plugin.name).toBe(name);
  });

  it.each([
    ['level 0', { level: 0 }],
    ['level 20', { level: 20 }],
    ['a fractional level', { level: 2.5 }],
    ['a string level', { level: 'x' }],
    ['a NaN level', { level: Number.NaN }],
    ['an unknown key', { bogus: 1 }],
    ['an unknown key next to a valid level', { level: 3, bogus: 1 }],
    ['a string', 'str'],
    ['a number', 3],
    ['null', null],
    ['an array', [3]],
  ])('rejects %s with PLUGIN_OPTIONS_INVALID', async (_, options) => {
    await expectCode(() => plugin.fromOptions(options), 'PLUGIN_OPTIONS_INVALID');
  });

  it.each([
    ['no options', undefined, 3],
    ['empty options', {}, 3],
    ['level 1', { level: 1 }, 1],
    ['level 5', { level: 5 }, 5],
  ])('accepts %s', (_, options, level) => {
    const codec = resolveCodec(plugin, options);
    expect(codec).toBeInstanceOf(CodecClass);
    expect((codec as unknown as { level: number }).level).toBe(level);
    expect(codec.name).toBe(plugin.name);
  });

  it('binds a working Codec in the container', async () => {
    const codec = resolveCodec(plugin, { level: 2 });
    const data = new TextEncoder().encode('{"v":1,"entries":[1,2,3]}\n'.repeat(1000));
    const compressed = await codec.compress(data);
    expect(compressed.length).toBeLessThan(data.length);
    expect(Buffer.from(await codec.decompress(compressed, data.length)).equals(Buffer.from(data))).toBe(true);
  });
});

describe('level ranges', () => {
  it('zstd accepts levels up to 19', () => {
    expect((resolveCodec(zstdPlugin as CairnPlugin<unknown>, { level: 19 }) as ZstdNapiCodec).level).toBe(19);
  });

  it('zstd-wasm refuses levels above 5, which cannot fit a 4 MiB segment in its heap', async () => {
    await expectCode(() => zstdWasmPlugin.fromOptions({ level: 6 }), 'PLUGIN_OPTIONS_INVALID');
    await expectCode(() => zstdWasmPlugin.fromOptions({ level: 19 }), 'PLUGIN_OPTIONS_INVALID');
  });

  it('codecs built directly refuse levels zstd does not have', async () => {
    await expectCode(() => new ZstdNapiCodec(0), 'PLUGIN_OPTIONS_INVALID');
    await expectCode(() => new ZstdWasmCodec(23), 'PLUGIN_OPTIONS_INVALID');
  });
});

import { Container, ContainerModule } from 'inversify';
import { definePlugin, invalidPluginOptions, openCairn, TOKENS, zstdWasmPlugin, type Codec } from '../../src';
import { expectCode } from '../../src/testing';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

/** A third-party codec: counts calls and delegates to a codec it builds itself. Uses only the public API. */
class CountingCodec implements Codec {
  readonly name = 'counting';
  calls = 0;
  constructor(private readonly inner: Codec) {}
  compress(data: Uint8Array): Promise<Uint8Array> {
    this.calls++;
    return this.inner.compress(data);
  }
  decompress(data: Uint8Array, max: number): Promise<Uint8Array> {
    this.calls++;
    return this.inner.decompress(data, max);
  }
}

describe('third-party plugins', () => {
  const instances: CountingCodec[] = [];
  const countingPlugin = definePlugin<{ label?: string }>({
    name: 'counting-codec',
    kind: 'codec',
    fromOptions(options) {
      if (options !== undefined && (typeof options !== 'object' || Object.keys(options).some((k) => k !== 'label'))) {
        throw invalidPluginOptions('counting-codec', 'only "label" is allowed');
      }
      return new ContainerModule((load) => {
        // Build the built-in wasm codec through its own public module, the same way the container does.
        const inner = new Container();
        inner.loadSync(zstdWasmPlugin.fromOptions(undefined));
        const codec = new CountingCodec(inner.get(TOKENS.Codec));
        instances.push(codec);
        load.bind(TOKENS.Codec).toConstantValue(codec);
      });
    },
  });

  it('registers and is used exactly like a built-in plugin', async () => {
    const home = tempHome();
    const cairn = await openCairn({ home, plugins: [countingPlugin as never], codec: 'counting-codec', clock: steppingClock() });
    await cairn.append('a', [{ text: 'through a third-party codec' }]);
    await cairn.export();
    expect(instances.at(-1)!.calls).toBeGreaterThanOrEqual(2); // a segment and a manifest
    await cairn.rebuild();
    expect(cairn.search('third').length).toBe(1);
    expect((await cairn.status()).codec).toBe('counting');
    cairn.close();
  });

  it('validates its options through fromOptions', async () => {
    const home = tempHome();
    await expectCode(openCairn({ home, plugins: [countingPlugin as never], codec: 'counting-codec', codecOptions: { bogus: 1 } }), 'PLUGIN_OPTIONS_INVALID');
  });

  it('an unknown plugin name is one clear error', async () => {
    await expectCode(openCairn({ home: tempHome(), codec: 'nope' }), 'PLUGIN_UNKNOWN');
  });

  it('two plugins cannot share a name', async () => {
    await expectCode(openCairn({ home: tempHome(), plugins: [{ ...countingPlugin, name: 'zstd' } as never] }), 'PLUGIN_CONFLICT');
  });

  it('artifacts written by one codec plugin are read by the other', async () => {
    const home = tempHome();
    const a = await openCairn({ home, codec: 'zstd', clock: steppingClock() });
    await a.append('a', [{ text: 'written with zstd-napi' }]);
    await a.export();
    a.close();
    const b = await openCairn({ home, codec: 'zstd-wasm', clock: steppingClock(), skipCatchUp: true });
    expect((await b.rebuild()).entries).toBe(1);
    b.close();
  });
});

import { ContainerModule } from 'inversify';
import { definePlugin, TOKENS, type Transport, type TransportFactory } from '../../src';
import { memoryTarget } from '../../src/plugins/memory-store';

/** What crossed a hooked transport since the last reset. */
export interface Tally {
  gets: string[];
  lists: string[];
  puts: string[];
  deletes: string[];
}

export interface Hooks {
  /** What a get returns, given the stored bytes and how many times this key was read before (from 0). */
  get?(key: string, stored: Uint8Array | null, reads: number): Uint8Array | null;
  /** Keys a listing leaves out (a listing that lags behind writes, as on an eventually consistent store). */
  hide?(key: string): boolean;
}

/**
 * A third-party transport `<scheme>://<bucket>` over an in-process memory bucket (the same bucket as
 * `memory://<bucket>`), whose reads and listings a test can bend, and which tallies what crosses it.
 */
export function hookedTransport(scheme: string, hooks: Hooks = {}): { plugin: never; tally: Tally; reset(): void } {
  const tally: Tally = { gets: [], lists: [], puts: [], deletes: [] };
  const reads = new Map<string, number>();
  const factory: TransportFactory = {
    schemes: [scheme],
    async create(url) {
      const inner = memoryTarget(url.slice(`${scheme}://`.length));
      const t: Transport = {
        url,
        putIfAbsent: async (k, b) => (tally.puts.push(k), inner.putIfAbsent(k, b)),
        get: async (k) => {
          tally.gets.push(k);
          const n = reads.get(k) ?? 0;
          reads.set(k, n + 1);
          const stored = await inner.get(k);
          return hooks.get ? hooks.get(k, stored, n) : stored;
        },
        has: (k) => inner.has(k),
        list: async (p, o) => {
          tally.lists.push(p);
          const keys = await inner.list(p, o);
          return hooks.hide ? keys.filter((k) => !hooks.hide!(k)) : keys;
        },
        origins: () => inner.origins(),
        delete: async (k) => (tally.deletes.push(k), inner.delete(k)),
        close: async () => undefined,
      };
      return t;
    },
  };
  const plugin = definePlugin({
    name: `${scheme}-transport`,
    kind: 'transport',
    schemes: [scheme],
    fromOptions: () => new ContainerModule(({ bind }) => void bind(TOKENS.TransportFactory).toConstantValue(factory)),
  });
  return {
    plugin: plugin as never,
    tally,
    reset: () => Object.assign(tally, { gets: [], lists: [], puts: [], deletes: [] }),
  };
}

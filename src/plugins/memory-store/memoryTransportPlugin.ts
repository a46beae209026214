import { ContainerModule } from 'inversify';
import type { Transport, TransportFactory } from '../../application/ports';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { CairnError } from '../../domain';
import { MemoryArtifactStore } from './MemoryArtifactStore';

/** An in-process target `memory://<name>`: every Cairn in the process that names it shares it. For tests. */
export class MemoryTransport extends MemoryArtifactStore implements Transport {
  constructor(readonly url: string) {
    super();
  }
  async close(): Promise<void> {}
}

const buckets = new Map<string, MemoryTransport>();

export function memoryTarget(name: string): MemoryTransport {
  const url = `memory://${name}`;
  let bucket = buckets.get(url);
  if (!bucket) buckets.set(url, (bucket = new MemoryTransport(url)));
  return bucket;
}

const factory: TransportFactory = {
  schemes: ['memory'],
  async create(url, options) {
    const m = /^memory:\/\/([a-z0-9-]{1,64})$/.exec(url);
    if (!m) throw new CairnError('INPUT_INVALID', `${url} is not a memory target: use memory://<name>`);
    if (!buckets.has(url) && !options.create) {
      throw new CairnError('INPUT_INVALID', `memory target ${url} does not exist: pass --init to create it`);
    }
    return memoryTarget(m[1]!);
  },
};

export const memoryTransportPlugin = definePlugin<Record<string, never>>({
  name: 'memory-transport',
  kind: 'transport',
  schemes: ['memory'],
  fromOptions(options) {
    if (options !== undefined && (typeof options !== 'object' || options === null || Object.keys(options).length > 0)) {
      throw invalidPluginOptions('memory-transport', 'takes no options');
    }
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.TransportFactory).toConstantValue(factory);
    });
  },
});

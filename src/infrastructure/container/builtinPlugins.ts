import { PluginRegistry, type CairnPlugin } from '../../application/plugins';
import { zstdPlugin } from '../../plugins/codec-zstd';
import { zstdWasmPlugin } from '../../plugins/codec-zstd-wasm';
import { fileLockPlugin, fileStorePlugin, folderTransportPlugin } from '../../plugins/file-store';
import { memoryLockPlugin, memoryStorePlugin, memoryTransportPlugin } from '../../plugins/memory-store';
import { s3LockPlugin, s3TransportPlugin } from '../../plugins/s3-transport';
import { httpTransportPlugin } from '../../plugins/http-transport';

/** The plugins that ship with cairn. They register exactly as third-party plugins do. */
export const BUILTIN_PLUGINS: readonly CairnPlugin<never>[] = [
  zstdPlugin as CairnPlugin<never>,
  zstdWasmPlugin as CairnPlugin<never>,
  fileStorePlugin as CairnPlugin<never>,
  memoryStorePlugin as CairnPlugin<never>,
  folderTransportPlugin as CairnPlugin<never>,
  memoryTransportPlugin as CairnPlugin<never>,
  s3TransportPlugin as CairnPlugin<never>,
  httpTransportPlugin as CairnPlugin<never>,
  fileLockPlugin as CairnPlugin<never>,
  memoryLockPlugin as CairnPlugin<never>,
  s3LockPlugin as CairnPlugin<never>,
];

export function createRegistry(extra: readonly CairnPlugin<never>[] = []): PluginRegistry {
  const registry = new PluginRegistry();
  for (const plugin of [...BUILTIN_PLUGINS, ...extra]) registry.register(plugin);
  return registry;
}

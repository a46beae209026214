import { ContainerModule } from 'inversify';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { MemoryArtifactStore } from './MemoryArtifactStore';
import { MemoryJournal } from './MemoryJournal';
import { MemoryQuarantine } from './MemoryQuarantine';

/** An in-memory store and journal. Nothing survives the process: for tests and throwaway embedding. */
export const memoryStorePlugin = definePlugin<Record<string, never>>({
  name: 'memory-store',
  kind: 'store',
  fromOptions(options) {
    if (options !== undefined && (typeof options !== 'object' || options === null || Object.keys(options).length > 0)) {
      throw invalidPluginOptions('memory-store', 'takes no options');
    }
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.ArtifactStore).toConstantValue(new MemoryArtifactStore());
      bind(TOKENS.Journal).toConstantValue(new MemoryJournal());
      bind(TOKENS.Quarantine).toConstantValue(new MemoryQuarantine());
    });
  },
});

import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { FileArtifactStore } from './FileArtifactStore';
import { FileJournal } from './FileJournal';
import { FileQuarantine } from './FileQuarantine';

export interface FileStoreOptions {
  /** The store's home directory: artifacts live in `<home>/artifacts`, the journal in `<home>/journal`. */
  readonly home: string;
}

/** The local artifact store and journal on the file system (the default store). */
export const fileStorePlugin = definePlugin<FileStoreOptions>({
  name: 'file-store',
  kind: 'store',
  fromOptions(options) {
    if (typeof options !== 'object' || options === null) throw invalidPluginOptions('file-store', 'options must be an object with "home"');
    const unknown = Object.keys(options).filter((k) => k !== 'home');
    if (unknown.length > 0) throw invalidPluginOptions('file-store', `unknown option(s) ${unknown.join(', ')}`);
    if (typeof options.home !== 'string' || options.home.length === 0) {
      throw invalidPluginOptions('file-store', '"home" must be a non-empty directory path');
    }
    const home = path.resolve(options.home);
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.ArtifactStore).toConstantValue(new FileArtifactStore(path.join(home, 'artifacts')));
      bind(TOKENS.Journal).toConstantValue(new FileJournal(path.join(home, 'journal')));
      bind(TOKENS.Quarantine).toConstantValue(new FileQuarantine(path.join(home, 'quarantine')));
    });
  },
});

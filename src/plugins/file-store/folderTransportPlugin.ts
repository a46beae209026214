import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ContainerModule } from 'inversify';
import type { TransportFactory } from '../../application/ports';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { CairnError } from '../../domain';
import { FolderTransport } from './FolderTransport';

/** Resolve a folder target: a path (absolute or relative) or a `file://` URL. */
export function folderPath(target: string): string {
  if (/^file:/i.test(target)) {
    try {
      return fileURLToPath(target);
    } catch (err) {
      throw new CairnError('INPUT_INVALID', `${target} is not a usable file URL (${(err as Error).message})`);
    }
  }
  return path.resolve(target);
}

const factory: TransportFactory = {
  schemes: ['file'],
  async create(target, options) {
    const root = folderPath(target);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(root);
    } catch {
      stat = undefined;
    }
    if (!stat) {
      if (!options.create) {
        throw new CairnError('INPUT_INVALID', `sync target folder ${root} does not exist: create it, or pass --init to create it`);
      }
      fs.mkdirSync(root, { recursive: true });
    } else if (!stat.isDirectory()) {
      throw new CairnError('INPUT_INVALID', `sync target ${root} is not a folder`);
    }
    return new FolderTransport(pathToFileURL(root).href, root);
  },
};

/** Shared folders as sync targets (`/path`, `./path`, `file:///path`). */
export const folderTransportPlugin = definePlugin<Record<string, never>>({
  name: 'folder',
  kind: 'transport',
  schemes: ['file'],
  fromOptions(options) {
    if (options !== undefined && (typeof options !== 'object' || options === null || Object.keys(options).length > 0)) {
      throw invalidPluginOptions('folder', 'takes no options');
    }
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.TransportFactory).toConstantValue(factory);
    });
  },
});

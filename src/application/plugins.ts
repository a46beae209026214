import type { ContainerModule } from 'inversify';
import { CairnError } from '../domain';

/** What a plugin provides. One plugin fills one port (or, for `extension`, adds bindings of its own). */
export type PluginKind = 'codec' | 'store' | 'transport' | 'lock' | 'backend' | 'metadata' | 'extension';

/**
 * A plugin: a name, the port it fills, optional URL schemes (transports), and `fromOptions`, which
 * validates its options (throwing PLUGIN_OPTIONS_INVALID) and returns an inversify ContainerModule.
 * Built-in and third-party plugins are this same shape and register the same way.
 */
export interface CairnPlugin<Options = unknown> {
  readonly name: string;
  readonly kind: PluginKind;
  readonly schemes?: readonly string[];
  fromOptions(options: Options | undefined): ContainerModule;
}

/** Helper for plugin authors: keeps the options type and checks the name. */
export function definePlugin<Options>(plugin: CairnPlugin<Options>): CairnPlugin<Options> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(plugin.name)) {
    throw new CairnError('PLUGIN_OPTIONS_INVALID', `plugin name ${JSON.stringify(plugin.name)} is invalid: use a-z 0-9 and "-"`);
  }
  return plugin;
}

/** Fail option validation with one clear line naming the plugin and the option. */
export function invalidPluginOptions(plugin: string, why: string): CairnError {
  return new CairnError('PLUGIN_OPTIONS_INVALID', `plugin "${plugin}": ${why}`);
}

/** Maps plugin names (and transport URL schemes) to plugins. */
export class PluginRegistry {
  private readonly byName = new Map<string, CairnPlugin<never>>();

  register<O>(plugin: CairnPlugin<O>): this {
    const existing = this.byName.get(plugin.name);
    if (existing && existing !== (plugin as unknown)) {
      throw new CairnError('PLUGIN_CONFLICT', `a plugin named "${plugin.name}" is already registered`);
    }
    this.byName.set(plugin.name, plugin as unknown as CairnPlugin<never>);
    return this;
  }

  get(name: string, kind?: PluginKind): CairnPlugin<unknown> {
    const plugin = this.byName.get(name);
    if (!plugin || (kind !== undefined && plugin.kind !== kind)) {
      const known = this.list(kind).map((p) => p.name).join(', ') || 'none';
      throw new CairnError('PLUGIN_UNKNOWN', `no ${kind ?? ''} plugin named "${name}" is registered (known: ${known})`.replace('  ', ' '));
    }
    return plugin as unknown as CairnPlugin<unknown>;
  }

  forScheme(scheme: string): CairnPlugin<unknown> {
    for (const plugin of this.byName.values()) {
      if (plugin.schemes?.includes(scheme)) return plugin as unknown as CairnPlugin<unknown>;
    }
    throw new CairnError('PLUGIN_UNKNOWN', `no transport plugin handles "${scheme}" URLs`);
  }

  list(kind?: PluginKind): CairnPlugin<unknown>[] {
    return [...this.byName.values()].filter((p) => kind === undefined || p.kind === kind) as unknown as CairnPlugin<unknown>[];
  }
}

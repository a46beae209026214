import 'reflect-metadata';
import * as path from 'node:path';
import { Container } from 'inversify';
import { Cairn, DEFAULT_LOCK_TIMEOUT_MS } from '../../application/Cairn';
import type { CairnPlugin } from '../../application/plugins';
import type { ArtifactStore, Clock, Codec, Journal, Lock, LockClock, MetadataField, ProgressSink, Quarantine, RandomSource, ReadModel, TransportFactory } from '../../application/ports';
import { BUILTIN_OPS, type MetaEvent } from '../../domain';
import { TOKENS } from '../../application/tokens';
import { requireHomeConfig } from '../config/HomeConfig';
import { NeedsExclusiveOpen, SqliteReadModel } from '../sqlite/SqliteReadModel';
import { systemClock, systemLockClock, systemRandom } from '../system';
import { createRegistry } from './builtinPlugins';

export interface OpenOptions {
  /** The store's home directory (created by `initHome` / `cairn init`). */
  readonly home: string;
  /** Third-party plugins to register next to the built-in ones. */
  readonly plugins?: readonly CairnPlugin<never>[];
  /** Codec plugin name (default: the store's configured codec, `zstd`). */
  readonly codec?: string;
  readonly codecOptions?: unknown;
  /** Store plugin name (default `file-store`) and its options (default `{home}`). */
  readonly store?: string;
  readonly storeOptions?: unknown;
  /** Further plugins to load by name, with their options (extensions). */
  readonly use?: readonly { name: string; options?: unknown }[];
  /** The clock (tests pass their own). */
  readonly clock?: Clock;
  /**
   * Lock plugin name and options. Default: `file-lock` in `<home>/lock` (`memory-lock` with the memory
   * store). Every mutation holds the lock for its whole run.
   */
  readonly lock?: string;
  readonly lockOptions?: unknown;
  /** How long a mutation waits for the lock before failing with LOCK_HELD (default 30 s; the CLI's is 5 s). */
  readonly lockTimeoutMs?: number;
  /** The clock leases are measured with: real time unless a test simulates it (never `clock`, which tests fake). */
  readonly lockClock?: LockClock;
  readonly random?: RandomSource;
  /** Read model file; `:memory:` keeps it in memory. Default `<home>/cairn.db`. */
  readonly database?: string;
  /** Skip catching the read model up on open (the caller will rebuild). */
  readonly skipCatchUp?: boolean;
  /** See CairnDeps.metaPackThreshold. */
  readonly metaPackThreshold?: number;
  /** See CairnDeps.exportBatchEntries. */
  readonly exportBatchEntries?: number;
  /** See CairnDeps.metaPackAuditMs. */
  readonly metaPackAuditMs?: number;
  readonly onProgress?: ProgressSink;
}

/**
 * The composition root: build a container from validated plugin modules, resolve the Cairn facade, and
 * catch the read model up with the store. The container is used here and nowhere else.
 */
export async function openCairn(options: OpenOptions): Promise<Cairn> {
  const home = path.resolve(options.home);
  const config = requireHomeConfig(home);
  const registry = createRegistry(options.plugins ?? []);
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Clock).toConstantValue(options.clock ?? systemClock);
  container.bind(TOKENS.LockClock).toConstantValue(options.lockClock ?? systemLockClock);
  container.bind(TOKENS.Random).toConstantValue(options.random ?? systemRandom);
  const storeName = options.store ?? 'file-store';
  container.loadSync(registry.get(storeName, 'store').fromOptions(options.storeOptions ?? { home }));
  const lockName = options.lock ?? (storeName === 'memory-store' ? 'memory-lock' : 'file-lock');
  const lockOptions =
    lockName === 'file-lock' ? { dir: path.join(home, 'lock'), ...(options.lockOptions as object | undefined) } : options.lockOptions;
  container.loadSync(registry.get(lockName, 'lock').fromOptions(lockOptions));
  container.loadSync(registry.get(options.codec ?? config.codec, 'codec').fromOptions(options.codecOptions));
  // Every registered transport plugin is available; `sync` picks one by the target's URL scheme. One named
  // in `use` is loaded once, with the options given there.
  for (const transport of registry.list('transport')) {
    if (!options.use?.some((u) => u.name === transport.name)) container.loadSync(transport.fromOptions(undefined));
  }
  for (const extra of options.use ?? []) container.loadSync(registry.get(extra.name).fromOptions(extra.options));
  const fields = (): MetadataField[] => container.getAll<MetadataField>(TOKENS.MetadataField, { optional: true }) ?? [];
  let exclusive = false; // see SqliteReadModel: set while this process holds the store's lock
  container.bind(TOKENS.ReadModel).toDynamicValue(() => {
    const known = fields();
    // An event is applied once its op is understood: a built-in op, or `set` of a registered field with a
    // value its validator accepts. Anything else is kept and relayed, and applied after an upgrade.
    const isKnown = (e: MetaEvent): boolean =>
      e.op in BUILTIN_OPS || (e.op === 'set' && known.some((f) => f.name === e.field && f.validate(e.value) === null));
    return new SqliteReadModel(options.database ?? path.join(home, 'cairn.db'), isKnown, { exclusive });
  });
  container.bind(TOKENS.Cairn).toDynamicValue(
    (ctx) =>
      new Cairn({
        origin: config.origin,
        home,
        store: ctx.get<ArtifactStore>(TOKENS.ArtifactStore),
        journal: ctx.get<Journal>(TOKENS.Journal),
        codec: ctx.get<Codec>(TOKENS.Codec),
        readModel: ctx.get<ReadModel>(TOKENS.ReadModel),
        clock: ctx.get<Clock>(TOKENS.Clock),
        quarantine: ctx.get<Quarantine>(TOKENS.Quarantine),
        transports: ctx.getAll<TransportFactory>(TOKENS.TransportFactory, { optional: true }) ?? [],
        metadataFields: fields(),
        metaPackThreshold: options.metaPackThreshold,
        exportBatchEntries: options.exportBatchEntries,
        metaPackAuditMs: options.metaPackAuditMs,
        lock: ctx.get<Lock>(TOKENS.Lock),
        lockTimeoutMs: options.lockTimeoutMs,
      }),
  );
  let cairn: Cairn;
  try {
    cairn = container.get<Cairn>(TOKENS.Cairn);
  } catch (err) {
    if (!(err instanceof NeedsExclusiveOpen)) throw err;
    // Creating (or replacing) the read model's files: under the store's lock, or two processes opening a new
    // home at once would delete each other's fresh WAL.
    const handle = await container.get<Lock>(TOKENS.Lock).acquire({ timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS });
    try {
      exclusive = true;
      cairn = container.get<Cairn>(TOKENS.Cairn);
    } finally {
      await handle.release();
    }
  }
  if (!options.skipCatchUp) {
    try {
      await cairn.catchUp(options.onProgress);
    } catch (err) {
      cairn.close();
      throw err;
    }
  }
  return cairn;
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, isJsonObject, newOriginId, parseOriginId, parseOriginName, toIso, type OriginId } from '../../domain';
import type { Clock, RandomSource } from '../../application/ports';

/** `<home>/config.json`: the origin id (generated once, never changed) and the plugins this store uses. */
export interface HomeConfig {
  readonly v: 1;
  readonly origin: OriginId;
  readonly createdAt: string;
  readonly codec: string;
}

export const CONFIG_FILE = 'config.json';

/** Where the store lives: `--home`, else `$CAIRN_HOME`, else the platform data dir. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag);
  if (env.CAIRN_HOME) return path.resolve(env.CAIRN_HOME);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'cairn');
}

export function readHomeConfig(home: string): HomeConfig | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(home, CONFIG_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CairnError('STORE_CORRUPT', `${path.join(home, CONFIG_FILE)} is not valid JSON; restore it from a backup (it holds the origin id)`);
  }
  if (!isJsonObject(doc) || doc.v !== 1 || typeof doc.origin !== 'string' || typeof doc.createdAt !== 'string') {
    throw new CairnError('STORE_CORRUPT', `${path.join(home, CONFIG_FILE)} is malformed; restore it from a backup (it holds the origin id)`);
  }
  return { v: 1, origin: parseOriginId(doc.origin), createdAt: doc.createdAt, codec: typeof doc.codec === 'string' ? doc.codec : 'zstd' };
}

export function requireHomeConfig(home: string): HomeConfig {
  const config = readHomeConfig(home);
  if (!config) throw new CairnError('STORE_NOT_INITIALIZED', `no cairn store in ${home}: run \`cairn init\` first (or pass --home)`);
  return config;
}

/**
 * Create the store once. Running it again changes nothing and returns the existing origin. Two racing
 * inits cannot both win: the config is published with an exclusive link.
 */
export function initHome(
  home: string,
  options: { name?: string; codec?: string },
  clock: Clock,
  random: RandomSource,
): { config: HomeConfig; created: boolean } {
  const existing = readHomeConfig(home);
  if (existing) return { config: existing, created: false };
  const name = options.name !== undefined ? parseOriginName(options.name) : os.hostname();
  const config: HomeConfig = {
    v: 1,
    origin: newOriginId(name, random.hex(3)),
    createdAt: toIso(clock.now()),
    codec: options.codec ?? 'zstd',
  };
  fs.mkdirSync(home, { recursive: true });
  const file = path.join(home, CONFIG_FILE);
  const tmp = path.join(home, `.${CONFIG_FILE}.tmp-${process.pid}-${random.hex(4)}`);
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { config: requireHomeConfig(home), created: false };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { config, created: true };
}

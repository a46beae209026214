import type { LockHolder } from '../../application/ports';
import { toIso } from '../../domain';
import { defineCommand } from '../Command';
import { withCairn } from '../openStore';
import { UsageError } from '../UsageError';

interface HolderJson {
  host: string;
  pid: number;
  since: string;
  expires: string;
  token: number;
  owner: string;
  stale?: boolean;
}

interface LockResult {
  held: boolean;
  holder: HolderJson | null;
  /** For `release --force`: whether a holder was broken. */
  released?: boolean;
}

const view = (h: LockHolder): HolderJson => ({ host: h.host, pid: h.pid, since: toIso(h.acquiredAt), expires: toIso(h.expiresAt), token: h.token, owner: h.owner });
const who = (h: HolderJson): string => `pid ${h.pid} on host ${h.host} since ${h.since} (lease until ${h.expires}, token ${h.token})`;

export const lockCommand = defineCommand({
  name: 'lock',
  usage: 'cairn lock status | cairn lock release --force',
  summary: "show who holds the store's lock, or break it (--force: its holder stops before its next write)",
  options: { force: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(ctx): Promise<LockResult> {
    const action = ctx.positionals[0];
    if (action !== 'status' && action !== 'release') throw new UsageError(`unknown lock action "${action}": use status or release --force`);
    if (action === 'release' && ctx.values.force !== true) {
      throw new UsageError('lock release breaks whoever holds the lock: pass --force (see `cairn lock status` first)');
    }
    // Never waits for the lock: these work while someone holds it.
    return withCairn(
      ctx,
      async (cairn) => {
        if (action === 'status') {
          const status = await cairn.lockStatus();
          return { held: status !== null && !status.stale, holder: status ? { ...view(status), stale: status.stale } : null };
        }
        const broken = await cairn.forceReleaseLock();
        return { released: broken !== null, held: broken !== null, holder: broken ? view(broken) : null };
      },
      { skipCatchUp: true },
    );
  },
  human: (r) => {
    if (r.released !== undefined) return r.holder ? `released the lock held by ${who(r.holder)}` : 'the lock was not held; nothing to release';
    if (!r.holder) return 'the lock is free';
    return r.held ? `the lock is held by ${who(r.holder)}` : `the lock is stale (the next command takes it over): last held by ${who(r.holder)}`;
  },
});

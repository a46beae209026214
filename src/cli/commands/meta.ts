import { CairnError, type Json } from '../../domain';
import { defineCommand } from '../Command';
import { withCairn } from '../openStore';
import { UsageError } from '../UsageError';

const USAGE = {
  rename: '<stream> <title>',
  star: '<stream>',
  unstar: '<stream>',
  pin: '<stream> <ordinal>',
  unpin: '<stream> <ordinal>',
  trash: '<stream>',
  restore: '<stream>',
  purge: '<stream>',
  set: '<stream> <field> <json>',
} as const;

export const metaCommand = defineCommand({
  name: 'meta',
  usage: `cairn meta ${Object.entries(USAGE).map(([op, args]) => `${op} ${args}`).join(' | ')}`,
  summary: 'edit metadata (title, star, pin, trash, restore, purge, custom fields); {event} is the HLC or null',
  options: {},
  positionals: { min: 2, max: 4 },
  run: (ctx) => {
    const [op, stream, a, b] = ctx.positionals as [string, string, string?, string?];
    const expected = USAGE[op as keyof typeof USAGE];
    if (!expected) throw new UsageError(`unknown metadata op "${op}": use ${Object.keys(USAGE).join(', ')}`);
    const need = expected.split(' ').length;
    if (ctx.positionals.length - 1 !== need) throw new UsageError(`meta ${op} takes ${expected}`);
    let request;
    if (op === 'rename') request = { op, stream, value: a };
    else if (op === 'pin' || op === 'unpin') {
      if (!/^\d+$/.test(a!)) throw new UsageError(`meta ${op}: the ordinal must be a non-negative integer, got ${JSON.stringify(a)}`);
      request = { op, stream, ordinal: Number(a) };
    } else if (op === 'set') {
      let value: Json;
      try {
        value = JSON.parse(b!) as Json;
      } catch {
        throw new CairnError('INPUT_INVALID', `meta set: the value must be JSON, got ${JSON.stringify(b)}`);
      }
      request = { op, stream, field: a, value };
    } else request = { op, stream };
    return withCairn(ctx, (cairn) => cairn.meta(request));
  },
  human: (r) => (r.event === null ? 'nothing changed (no event)' : `recorded event ${r.event}`),
});

export const conflictsCommand = defineCommand({
  name: 'conflicts',
  usage: 'cairn conflicts [--stream S]',
  summary: 'the conflict log: concurrent edits that lost, never dropped',
  options: { stream: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  run: (ctx) => withCairn(ctx, async (cairn) => cairn.conflicts(ctx.values.stream as string | undefined), { readOnly: true }),
  human: (rows) =>
    rows.length === 0
      ? 'no conflicts'
      : rows
          .map((c) => `${c.target.stream}${c.target.ordinal !== undefined ? `#${c.target.ordinal}` : ''} ${c.field}: ${JSON.stringify(c.winner.value)} (${c.winner.origin}) won over ${JSON.stringify(c.loser.value)} (${c.loser.origin})`)
          .join('\n'),
});

import { defineCommand } from '../Command';
import { intOption, withCairn } from '../openStore';

export const showCommand = defineCommand({
  name: 'show',
  usage: 'cairn show <stream> [--from N] [--limit N]',
  summary: 'print entries of a stream',
  options: { from: { type: 'string' }, limit: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: (ctx) =>
    withCairn(ctx, async (cairn) => {
      const from = intOption(ctx.values.from, 'from', 0);
      const limit = intOption(ctx.values.limit, 'limit', 1000);
      const { stream, entries } = cairn.show(ctx.positionals[0]!, { from, limit });
      return { stream: stream.id, entries };
    }, { readOnly: true }),
  human: (r) =>
    r.entries.length === 0 ? `${r.stream}: no entries in range` : r.entries.map((e) => `${e.pinned ? '*' : '#'}${e.ordinal}\t${e.ts}\t${JSON.stringify(e.body)}`).join('\n'),
});

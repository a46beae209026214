import { defineCommand } from '../Command';
import { intOption, withCairn } from '../openStore';

export const searchCommand = defineCommand({
  name: 'search',
  usage: 'cairn search <query> [--limit N]',
  summary: 'full-text search over entries',
  options: { limit: { type: 'string' } },
  positionals: { min: 1, max: Infinity },
  run: (ctx) =>
    withCairn(ctx, async (cairn) => cairn.search(ctx.positionals.join(' '), { limit: intOption(ctx.values.limit, 'limit', 50) }), { readOnly: true }),
  human: (hits) => (hits.length === 0 ? 'no matches' : hits.map((h) => `${h.stream}#${h.ordinal}\t${h.snippet}`).join('\n')),
});

import { defineCommand } from '../Command';
import { withCairn } from '../openStore';
import { terminalProgress } from '../progress';

export const rebuildCommand = defineCommand({
  name: 'rebuild',
  usage: 'cairn rebuild',
  summary: 'delete the read model and replay the store into a new one',
  options: {},
  positionals: { min: 0, max: 0 },
  run: (ctx) =>
    withCairn(
      ctx,
      async (cairn) => {
        const progress = terminalProgress(ctx.io, ctx.json);
        const result = await cairn.rebuild(progress.sink);
        progress.done();
        return result;
      },
      { skipCatchUp: true },
    ),
  human: (r) => `rebuilt the read model: ${r.streams} stream(s), ${r.entries} entries, ${r.events} events in ${r.ms} ms`,
});

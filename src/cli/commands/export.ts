import { defineCommand } from '../Command';
import { withCairn } from '../openStore';
import { terminalProgress } from '../progress';

export const exportCommand = defineCommand({
  name: 'export',
  usage: 'cairn export',
  summary: 'seal new entries into segments and publish one checkpoint (no-op when nothing changed)',
  options: {},
  positionals: { min: 0, max: 0 },
  run: (ctx) =>
    withCairn(ctx, async (cairn) => {
      const progress = terminalProgress(ctx.io, ctx.json);
      const result = await cairn.export(progress.sink);
      progress.done();
      return result;
    }),
  human: (r) =>
    r.checkpoint === null
      ? 'nothing new to export'
      : `published checkpoint ${r.checkpoint}: ${r.streams} stream(s), ${r.segments} segment(s), ${r.bytes} bytes`,
});

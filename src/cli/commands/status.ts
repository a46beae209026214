import { defineCommand } from '../Command';
import { withCairn } from '../openStore';

export const statusCommand = defineCommand({
  name: 'status',
  usage: 'cairn status',
  summary: 'this origin and every origin known here',
  options: {},
  positionals: { min: 0, max: 0 },
  run: (ctx) => withCairn(ctx, (cairn) => cairn.status(), { readOnly: true }),
  human: (s) =>
    [
      `origin ${s.origin}  (home ${s.home})`,
      `${s.streams} stream(s), ${s.entries} entries, ${s.pending} not exported yet, checkpoint ${s.checkpoint}`,
      ...s.origins.map((o) => `  ${o.origin}\tcheckpoint ${o.checkpoint}/${o.present}\t${o.streams} stream(s)\t${o.entries} entries\t${o.lastPublishedAt ?? 'never published'}`),
    ].join('\n'),
});

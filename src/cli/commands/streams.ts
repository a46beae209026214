import { parseOriginId } from '../../domain';
import { defineCommand } from '../Command';
import { withCairn } from '../openStore';

export const streamsCommand = defineCommand({
  name: 'streams',
  usage: 'cairn streams [--origin O] [--all]',
  summary: 'list streams (--all includes trashed ones)',
  options: { origin: { type: 'string' }, all: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  run: (ctx) =>
    withCairn(ctx, async (cairn) => {
      const origin = ctx.values.origin !== undefined ? parseOriginId(ctx.values.origin as string) : undefined;
      return cairn.streams({ origin, includeTrashed: ctx.values.all === true }).map((s) => ({
        id: s.id,
        origin: s.origin,
        title: s.title,
        kind: s.kind,
        entries: s.entries,
        starred: s.starred,
        trashed: s.trashed,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
      }));
    }, { readOnly: true }),
  human: (rows) =>
    rows.length === 0
      ? 'no streams yet'
      : rows.map((s) => `${s.id}\t${s.entries} entries\t${s.kind}\t${s.updatedAt}${s.title ? `\t${s.title}` : ''}`).join('\n'),
});

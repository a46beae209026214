import { initHome } from '../../infrastructure/config/HomeConfig';
import { systemClock, systemRandom } from '../../infrastructure/system';
import { defineCommand } from '../Command';

export const initCommand = defineCommand({
  name: 'init',
  usage: 'cairn init [--name NAME]',
  summary: 'create the store and this origin id (running it again changes nothing)',
  options: { name: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const name = ctx.values.name as string | undefined;
    const { config, created } = initHome(ctx.home, { name }, systemClock, systemRandom);
    return { origin: config.origin, home: ctx.home, created };
  },
  human: (r) => (r.created ? `created store ${r.home}\norigin ${r.origin}` : `store ${r.home} already exists\norigin ${r.origin}`),
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Cairn } from '../../application/Cairn';
import { initHome } from '../../infrastructure/config/HomeConfig';
import { openCairn } from '../../infrastructure/container/openCairn';
import { systemClock, systemRandom } from '../../infrastructure/system';
import { defineCommand } from '../Command';

const MACHINES: Record<string, { stream: string; notes: string[] }> = {
  laptop: { stream: 'garden', notes: ['Planted garlic along the south fence.', 'Tomatoes ripening slowly; fleece at night.'] },
  desktop: { stream: 'kitchen', notes: ['Sourdough starter doubled in six hours.', 'Garlic confit: low oven, two hours.'] },
  phone: { stream: 'bike', notes: ['Rear derailleur skips in the small cog.', 'Chain oiled after the rain.'] },
};

/**
 * The tour: three origins in temporary homes append on their own, then converge through one shared folder
 * (as Syncthing or Dropbox would carry it). Cleans up after itself.
 */
export const demoCommand = defineCommand({
  name: 'demo',
  usage: 'cairn demo',
  summary: 'a self-contained tour: three origins converge through one shared folder',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const lines: string[] = [];
    const say = (line: string): void => {
      lines.push(line);
      if (!ctx.json) ctx.io.stdout.write(`${line}\n`);
    };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-demo-'));
    const started = Date.now();
    const open: Cairn[] = [];
    try {
      const shared = path.join(root, 'shared-folder');
      fs.mkdirSync(shared);
      const origins: [string, Cairn][] = [];
      for (const [name, { stream, notes }] of Object.entries(MACHINES)) {
        const home = path.join(root, name);
        initHome(home, { name }, systemClock, systemRandom);
        const cairn = await openCairn({ home });
        open.push(cairn);
        origins.push([name, cairn]);
        await cairn.append(stream, notes.map((text) => ({ text })), { kind: 'notes' });
        say(`${name.padEnd(8)} origin ${cairn.origin}: appended ${notes.length} notes to "${stream}"`);
      }
      const view = (c: Cairn): string => c.streams().map((s) => `${s.id.split('~')[1]}(${s.entries})`).sort().join(' ');
      for (let round = 1; round <= 2; round++) {
        say(`-- sync round ${round} through ${shared}`);
        for (const [name, cairn] of origins) {
          const r = await cairn.sync(shared);
          say(`${name.padEnd(8)} pushed ${r.pushed}, pulled ${r.pulled}, imported ${r.imported.entries} entries → sees ${view(cairn)}`);
        }
      }
      const views = new Set(origins.map(([, c]) => JSON.stringify(c.streams().map((s) => [s.id, s.entries]).sort())));
      const [, laptop] = origins[0]!;
      const hits = laptop.search('garlic');
      say(`search "garlic" on laptop: ${hits.map((h) => `${h.stream} #${h.ordinal} ${h.snippet}`).join(' | ')}`);
      const again = await laptop.sync(shared);
      say(`a further sync moves nothing: pushed ${again.pushed}, pulled ${again.pulled}`);
      say(
        views.size === 1
          ? `converged: all 3 origins hold the same ${laptop.streams().length} streams in ${Date.now() - started} ms; cleaned up ${root}`
          : 'NOT converged (this is a bug)',
      );
      return { converged: views.size === 1, ms: Date.now() - started, steps: lines };
    } finally {
      for (const c of open) c.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
  human: () => '',
});

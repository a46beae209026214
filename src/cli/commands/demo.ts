import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initHome } from '../../infrastructure/config/HomeConfig';
import { openCairn } from '../../infrastructure/container/openCairn';
import { systemClock, systemRandom } from '../../infrastructure/system';
import { defineCommand } from '../Command';

const NOTES = [
  'Planted garlic along the south fence; mulch with straw before the frost.',
  'Sourdough starter doubled in six hours at 24 degrees.',
  'Bike chain needs oil; the rear derailleur skips in the small cog.',
  'Read about hybrid logical clocks: wall time plus a counter keeps causality.',
  'Tomatoes ripening slowly. Try covering them with fleece at night.',
];

/** A self-contained tour on a temporary store: append, export, search, delete the database, rebuild. */
export const demoCommand = defineCommand({
  name: 'demo',
  usage: 'cairn demo',
  summary: 'a self-contained tour on a temporary store',
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
    try {
      const home = path.join(root, 'laptop');
      const { config } = initHome(home, { name: 'laptop' }, systemClock, systemRandom);
      say(`1. init: a store in ${home} for origin ${config.origin}`);
      let cairn = await openCairn({ home });
      await cairn.append('garden', NOTES.filter((n) => /garlic|Tomatoes/.test(n)).map((text) => ({ text })), { kind: 'notes' });
      await cairn.append('kitchen', [{ text: NOTES[1]! }], { kind: 'notes' });
      await cairn.append('misc', NOTES.slice(2, 4).map((text) => ({ text })));
      say(`2. append: ${cairn.streams().length} streams, ${cairn.streams().reduce((n, s) => n + s.entries, 0)} entries, durable in the journal and searchable at once`);
      const first = await cairn.export();
      say(`3. export: checkpoint ${first.checkpoint} with ${first.segments} zstd segments, ${first.bytes} bytes`);
      await cairn.append('garden', [{ text: 'Harvested the first garlic scapes.' }]);
      const second = await cairn.export();
      say(`4. append 1 more, export again: checkpoint ${second.checkpoint} adds ${second.segments} segment, ${second.bytes} bytes (old segments untouched)`);
      const hits = cairn.search('garlic');
      say(`5. search "garlic": ${hits.map((h) => `${h.stream}#${h.ordinal} ${h.snippet}`).join(' | ')}`);
      cairn.close();
      for (const f of fs.readdirSync(home).filter((f) => f.startsWith('cairn.db'))) fs.rmSync(path.join(home, f));
      say('6. deleted the SQLite read model');
      cairn = await openCairn({ home, skipCatchUp: true });
      const rebuilt = await cairn.rebuild();
      say(`7. rebuild: ${rebuilt.streams} streams and ${rebuilt.entries} entries replayed from the store in ${rebuilt.ms} ms`);
      say(`   search "garlic" again: ${cairn.search('garlic').length} hits`);
      cairn.close();
      say(`done in ${Date.now() - started} ms; cleaned up ${root}`);
      return { ok: true, steps: lines };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
  human: () => '',
});

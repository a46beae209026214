import * as path from 'node:path';
import fc from 'fast-check';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { SqliteReadModel } from '../../src/infrastructure/sqlite/SqliteReadModel';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';
import { dumpReadModel } from '../helpers/readModelDump';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 200);

type Op =
  | { kind: 'append'; stream: string; bodies: unknown[] }
  | { kind: 'export' }
  | { kind: 'reopen' };

const word = fc.constantFrom('garlic', 'tomato', 'clock', 'river', 'stone', 'cairn', 'über', '東京', 'zstd');
const body = fc.oneof(
  fc.record({ text: fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' ')), n: fc.integer() }),
  fc.array(word, { maxLength: 3 }),
  word,
  fc.jsonValue({ maxDepth: 2 }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), stream: fc.constantFrom('a', 'b', 'C', 'd.e'), bodies: fc.array(body, { maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'export' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

const dump = (rm: SqliteReadModel): Record<string, unknown[]> => dumpReadModel(rm);

afterAll(removeTempDirs);

describe('rebuild equals incremental (property)', () => {
  it(`replaying the store gives the same database, table by table (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const home = tempHome();
        const clock = steppingClock();
        let cairn = await openCairn({ home, clock });
        for (const o of ops) {
          if (o.kind === 'append') await cairn.append(o.stream, o.bodies as never);
          else if (o.kind === 'export') await cairn.export();
          else {
            cairn.close();
            cairn = await openCairn({ home, clock });
          }
        }
        cairn.close();
        const incremental = new SqliteReadModel(path.join(home, 'cairn.db'));
        const expected = dump(incremental);
        incremental.close();

        // A rebuild into a brand-new database file.
        const rebuilt = await openCairn({ home, clock, database: path.join(home, 'rebuilt.db'), skipCatchUp: true });
        await rebuilt.rebuild();
        rebuilt.close();
        const fresh = new SqliteReadModel(path.join(home, 'rebuilt.db'));
        expect(dump(fresh)).toEqual(expected);
        fresh.close();

        // And the catch-up on open of a database that was deleted.
        const caughtUp = await openCairn({ home, clock, database: path.join(home, 'caught-up.db') });
        caughtUp.close();
        const again = new SqliteReadModel(path.join(home, 'caught-up.db'));
        expect(dump(again)).toEqual(expected);
        again.close();
      }),
      { numRuns: RUNS },
    );
  });
});

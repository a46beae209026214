import * as path from 'node:path';
import fc from 'fast-check';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { dumpReadModel } from '../helpers/readModelDump';
import { freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 40);

afterAll(removeTempDirs);

// Bodies whose canonical text is not what a naive copy would give: members that are undefined (dropped), -0
// (written 0), lone surrogates (escaped), own "__proto__" keys, extreme numbers, keys that sort by UTF-16 units.
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('granite', 'über 東京', '\ud800', 'a\udc00b', '😀', ''));
const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'toString', '\uffff', '\ud83d\ude00', '9', '10', '01', '-1'));
const { body } = fc.letrec((tie) => ({
  body: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(-0, 1e21, 5e-324, -1e-7, 2 ** 53 + 1, 1.7976931348623157e308),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    text,
    fc.array(tie('body'), { maxLength: 3 }),
    fc.dictionary(key, fc.option(tie('body'), { nil: undefined }), { maxKeys: 4 }),
  ),
}));
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ stream: fc.constantFrom('a', 'b', 'c'), bodies: fc.array(body, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant('export' as const) },
);

describe('hostile bodies (property)', () => {
  it(`the origin's read model, its rebuild and a replica's agree, exported in batches (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const home = tempHome('alpha', 1);
        const a = await openCairn({ home, clock: steppingClock(), exportBatchEntries: 2 });
        for (const o of ops) {
          if (o === 'export') await a.export();
          else await a.append(o.stream, o.bodies as never);
        }
        const target = freshTarget();
        await a.sync(target.url, { create: true });
        a.close();
        const origin = dumpReadModel(path.join(home, 'cairn.db'));

        const rebuilt = path.join(tempDir(), 'rebuilt.db');
        const r = await openCairn({ home, clock: steppingClock(), database: rebuilt, skipCatchUp: true });
        await r.rebuild();
        r.close();
        expect(dumpReadModel(rebuilt)).toEqual(origin);

        const replicaHome = tempHome('bravo', 2);
        const b = await openCairn({ home: replicaHome, clock: steppingClock() });
        await b.sync(target.url);
        b.close();
        const content = ['entries', 'entries_fts'];
        expect(dumpReadModel(path.join(replicaHome, 'cairn.db'), content)).toEqual(dumpReadModel(path.join(home, 'cairn.db'), content));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});

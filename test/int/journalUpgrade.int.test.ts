import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalize, type Json } from '../../src/domain';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { dumpReadModel } from '../helpers/readModelDump';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const batches: Json[][] = [
  [{ text: 'granite', n: 1 }, { z: [1, { y: 'é😀' }], a: -0 }],
  [{ nested: { a: [1], crc: 2 } }, '],"crc":1,', null],
  [{ tags: ['x'], lens: [3] }],
];

/** Every file under `dir`, relative, sorted, with its bytes' length and content as hex. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full).toString('hex');
    }
  };
  walk(dir);
  return out;
}

async function appended(): Promise<string> {
  const home = tempHome('alpha', 1);
  const a = await openCairn({ home, clock: steppingClock() });
  for (const bodies of batches) await a.append('s', bodies as never);
  await a.append('t', [{ other: true }]);
  a.close();
  return home;
}

describe('a journal written before ADR 0014 (lines without body lengths or checksums)', () => {
  it('exports to the same segments, manifests and checkpoint, and the same read model, as one written now', async () => {
    // Given two identical origins (same id, same clock), one of whose journals is rewritten in the old format
    const now = await appended();
    const before = await appended();
    const journal = path.join(before, 'journal');
    for (const name of fs.readdirSync(journal)) {
      const lines = fs.readFileSync(path.join(journal, name), 'utf8').trimEnd().split('\n');
      const old = lines.map((line) => {
        const r = JSON.parse(line) as { t: string; from: number; ts: string; bodies: Json[]; header: Json };
        return r.t === 'entries' ? `{"bodies":${canonicalize(r.bodies)},"from":${r.from},"t":"entries","ts":${JSON.stringify(r.ts)}}` : canonicalize({ header: r.header, t: r.t });
      });
      for (const line of old) expect(Object.keys(JSON.parse(line) as object).sort()).toEqual(line.startsWith('{"bodies"') ? ['bodies', 'from', 't', 'ts'] : ['header', 't']);
      fs.writeFileSync(path.join(journal, name), `${old.join('\n')}\n`);
    }

    // When both export (the old one after one more append, which writes a new-format line after the old ones)
    for (const home of [now, before]) {
      const a = await openCairn({ home, clock: steppingClock(Date.parse('2026-11-23T00:00:00.000Z')) });
      await a.append('s', [{ after: 'upgrade' }]);
      expect(await a.export()).toMatchObject({ streams: 2, segments: 2 });
      expect((await a.status()).pending).toBe(0);
      a.close();
    }

    // Then the store holds the same bytes, and the read models agree
    expect(files(path.join(before, 'artifacts'))).toEqual(files(path.join(now, 'artifacts')));
    expect(dumpReadModel(path.join(before, 'cairn.db'))).toEqual(dumpReadModel(path.join(now, 'cairn.db')));
  });
});

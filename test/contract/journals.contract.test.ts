import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { journalLine, type StreamId } from '../../src/domain';
import { FileJournal } from '../../src/plugins/file-store';
import { MemoryJournal } from '../../src/plugins/memory-store';
import { expectCode, journalContract } from '../../src/testing';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-journal-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

journalContract('memory', () => new MemoryJournal());
journalContract('file', () => new FileJournal(tmp()));

describe('FileJournal crash behaviour', () => {
  const batch = { t: 'entries' as const, from: 0, ts: '2026-01-01T00:00:00.000Z', bodies: ['a', 'b'] };

  it('drops a torn last line (an append that never returned) and appends cleanly after it', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [batch]);
    fs.appendFileSync(path.join(dir, 's.ndjson'), '{"t":"entries","from":2,"ts":"2026-01-01T00:00:00.000Z","bodies":["c","d');
    await journal.append('s' as StreamId, [{ ...batch, from: 2, bodies: ['x'] }]);
    expect(await journal.read('s' as StreamId)).toEqual([batch, { ...batch, from: 2, bodies: ['x'] }]);
  });

  it('drops a complete but garbled last line', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [batch]);
    fs.appendFileSync(path.join(dir, 's.ndjson'), '\0\0\0\0\n');
    expect(await journal.read('s' as StreamId)).toEqual([batch]);
    expect(fs.readFileSync(path.join(dir, 's.ndjson'), 'utf8')).toBe(journalLine(batch));
  });

  it('refuses a journal corrupted before its last line', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 's.ndjson'), `garbage\n${JSON.stringify(batch)}\n`);
    await expectCode(new FileJournal(dir).read('s' as StreamId), 'STORE_CORRUPT');
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { journalLine, type JournalRecord, type StoredJournalRecord, type StreamId } from '../../src/domain';
import { FileJournal } from '../../src/plugins/file-store';
import { decodeName, encodeName } from '../../src/plugins/file-store/FileJournal';

const S_FILE = `${encodeName('s')}.ndjson`;
import { MemoryJournal } from '../../src/plugins/memory-store';
import { expectCode, journalContract } from '../../src/testing';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-journal-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const plain = (records: readonly StoredJournalRecord[]): JournalRecord[] =>
  records.map((r) => (r.t === 'entries' ? { t: 'entries', from: r.from, ts: r.ts, bodies: r.texts.bodies() } : r));

journalContract('memory', () => new MemoryJournal());
journalContract('file', () => new FileJournal(tmp()));

describe('FileJournal crash behaviour', () => {
  const batch = { t: 'entries' as const, from: 0, ts: '2026-01-01T00:00:00.000Z', bodies: ['a', 'b'] };

  it('drops a torn last line (an append that never returned) and appends cleanly after it', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [batch]);
    fs.appendFileSync(path.join(dir, S_FILE), '{"t":"entries","from":2,"ts":"2026-01-01T00:00:00.000Z","bodies":["c","d');
    await journal.append('s' as StreamId, [{ ...batch, from: 2, bodies: ['x'] }]);
    expect(plain(await journal.read('s' as StreamId))).toEqual([batch, { ...batch, from: 2, bodies: ['x'] }]);
  });

  it('refuses a complete but garbled last line: a finished write is never torn', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [batch]);
    fs.appendFileSync(path.join(dir, S_FILE), '{"t":"entries","from":2,"bodiez":[]}\n');
    await expectCode(journal.read('s' as StreamId), 'STORE_CORRUPT');
  });

  it('refuses a last line whose newline byte changed (a whole acknowledged line, never a torn one) and does not cut it', async () => {
    for (const value of [0x20, 0x0b, 0x00, 0x7d, 0x8a]) {
      const dir = tmp();
      const journal = new FileJournal(dir);
      await journal.append('s' as StreamId, [batch]);
      await journal.append('s' as StreamId, [{ ...batch, from: 2, bodies: ['acknowledged'] }]);
      const file = path.join(dir, S_FILE);
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1] = value; // a torn write leaves a prefix: after a whole line comes its newline
      fs.writeFileSync(file, bytes);
      await expectCode(journal.read('s' as StreamId), 'STORE_CORRUPT');
      await expectCode(journal.append('s' as StreamId, [{ ...batch, from: 3, bodies: ['next'] }]), 'STORE_CORRUPT');
      expect(fs.readFileSync(file)).toEqual(bytes);
    }
  });

  it('still drops a torn last line that lacks only its newline, or its last bytes', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [batch]);
    const line = journalLine({ ...batch, from: 2, bodies: ['never acknowledged'] });
    const file = path.join(dir, S_FILE);
    for (const torn of [line.slice(0, -1), line.slice(0, -2), line.slice(0, 1)]) {
      const whole = fs.readFileSync(file);
      fs.appendFileSync(file, torn);
      expect(plain(await journal.read('s' as StreamId))).toEqual([batch]);
      fs.writeFileSync(file, whole);
    }
  });

  it('reads ignore a torn tail without cutting it (only an append repairs)', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [batch]);
    fs.appendFileSync(path.join(dir, S_FILE), '{"t":"ent');
    const size = fs.statSync(path.join(dir, S_FILE)).size;
    expect(plain(await journal.read('s' as StreamId))).toEqual([batch]);
    expect(fs.statSync(path.join(dir, S_FILE)).size).toBe(size);
  });

  it('names files so that no stream id starts a dot file, case never collides, and 128 bytes fit', () => {
    for (const id of ['.hidden', '...', 'Notes', 'notes', 'A'.repeat(128), 'z'.repeat(128), 'a-b_c.d']) {
      const name = encodeName(id);
      expect(name).toMatch(/^[a-z2-7]+$/);
      expect(name.length + '.ndjson'.length + 40).toBeLessThan(255);
      expect(decodeName(name)).toBe(id);
    }
    expect(encodeName('Notes')).not.toBe(encodeName('notes'));
    expect(decodeName('not base32!')).toBeNull();
  });

  it('refuses a complete line that is not UTF-8 (a damaged byte), never reads a replacement character in its place', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [{ ...batch, bodies: ['café'] }]);
    const file = path.join(dir, S_FILE);
    const bytes = fs.readFileSync(file);
    bytes[bytes.indexOf(0xc3)] = 0xff; // é is C3 A9: FF A9 is no UTF-8, yet the line still parses as JSON
    fs.writeFileSync(file, bytes);
    await expectCode(journal.read('s' as StreamId), 'STORE_CORRUPT');
  });

  it('refuses a complete line with a changed byte that still parses (a body that would be sealed changed): the checksum', async () => {
    const dir = tmp();
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [{ ...batch, bodies: ['granite'] }, { ...batch, from: 1 }]);
    const file = path.join(dir, S_FILE);
    const bytes = fs.readFileSync(file);
    bytes[bytes.indexOf('granite')] = 'G'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    await expectCode(journal.read('s' as StreamId), 'STORE_CORRUPT');
  });

  it('reads a journal written before ADR 0014 (lines without checksums), and appends after it', async () => {
    const dir = tmp();
    const old = (from: number, bodies: unknown[]): string => `{"bodies":${JSON.stringify(bodies)},"from":${from},"t":"entries","ts":"${batch.ts}"}\n`;
    fs.writeFileSync(path.join(dir, S_FILE), `{"header":{"attrs":{},"createdAt":"${batch.ts}","kind":"log"},"t":"header"}\n${old(0, ['a', { z: 1, a: [1], crc: 2 }])}`);
    const journal = new FileJournal(dir);
    await journal.append('s' as StreamId, [{ ...batch, from: 2 }]);
    const read = await journal.read('s' as StreamId);
    expect(plain(read)).toEqual([
      { t: 'header', header: { attrs: {}, createdAt: batch.ts, kind: 'log' } },
      { ...batch, bodies: ['a', { a: [1], crc: 2, z: 1 }] },
      { ...batch, from: 2 },
    ]);
    expect(read[1]!.t === 'entries' && read[1]!.texts.text(1)).toBe('{"a":[1],"crc":2,"z":1}');
  });

  it('refuses a journal corrupted before its last line', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, S_FILE), `garbage\n${JSON.stringify(batch)}\n`);
    await expectCode(new FileJournal(dir).read('s' as StreamId), 'STORE_CORRUPT');
  });
});

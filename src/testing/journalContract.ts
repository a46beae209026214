import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Journal } from '../application/ports/Journal';
import { canonicalize, type Json, type JournalRecord, type StoredJournalRecord, type StreamId } from '../domain';

const header: JournalRecord = { t: 'header', header: { kind: 'log', createdAt: '2026-01-01T00:00:00.000Z', attrs: {} } };
const batch = (from: number, n: number): JournalRecord => ({
  t: 'entries',
  from,
  ts: '2026-01-01T00:00:00.000Z',
  bodies: Array.from({ length: n }, (_, i) => ({ i: from + i })),
});
const s = (id: string): StreamId => id as StreamId;
/** Records as read back, with their bodies parsed, to compare with what was appended. */
const plain = (records: readonly StoredJournalRecord[]): JournalRecord[] =>
  records.map((r) => (r.t === 'entries' ? { t: 'entries', from: r.from, ts: r.ts, bodies: r.texts.bodies() } : r));

/** The Journal contract: call inside a jest test file with a factory returning a fresh, empty journal. */
export function journalContract(name: string, make: () => Promise<Journal> | Journal): void {
  describe(`Journal contract: ${name}`, () => {
    let journal: Journal;
    beforeEach(async () => {
      journal = await make();
    });

    it('reads back appended records in order', async () => {
      await journal.append(s('notes'), [header, batch(0, 2)]);
      await journal.append(s('notes'), [batch(2, 3)]);
      expect(plain(await journal.read(s('notes')))).toEqual([header, batch(0, 2), batch(2, 3)]);
    });

    it('keeps streams apart, including ids that differ only in case', async () => {
      await journal.append(s('Notes'), [batch(0, 1)]);
      await journal.append(s('notes'), [batch(0, 2)]);
      expect(plain(await journal.read(s('Notes')))).toEqual([batch(0, 1)]);
      expect(plain(await journal.read(s('notes')))).toEqual([batch(0, 2)]);
      expect(await journal.streams()).toEqual(['Notes', 'notes']);
    });

    it('returns nothing for an unknown stream', async () => {
      expect(await journal.read(s('none'))).toEqual([]);
      expect(await journal.streams()).toEqual([]);
    });

    it('removes the journals of several streams at once, missing ones included', async () => {
      await journal.append(s('a'), [header, batch(0, 1)]);
      await journal.append(s('b'), [header, batch(0, 2)]);
      await journal.append(s('c'), [header, batch(0, 3)]);
      await journal.remove([s('a'), s('none'), s('c')]);
      expect(await journal.streams()).toEqual(['b']);
      expect(await journal.read(s('a'))).toEqual([]);
      expect(plain(await journal.read(s('b')))).toEqual([header, batch(0, 2)]);
      await journal.remove([]);
      expect(await journal.streams()).toEqual(['b']);
    });

    it('reads back plain JSON that encodes as it was appended (export seals what it reads)', async () => {
      const bodies = [{ text: 'é😀', n: -1.5e300, list: [null, true, {}] }, 'x', 0];
      await journal.append(s('a'), [header, { t: 'entries', from: 0, ts: '2026-01-01T00:00:00.000Z', bodies }]);
      const [, read] = await journal.read(s('a'));
      expect(read!.t === 'entries' && canonicalize(read!.texts.bodies())).toBe(canonicalize(bodies));
    });

    it('reads back each body as its canonical JSON text (export seals these bytes as they are)', async () => {
      const bodies: Json[] = [{ b: [1, { y: 'é😀', x: '\u2028"\\' }], a: -0 }, 'x', null, [], { $blob: 'not a hash', size: 1 }];
      await journal.append(s('a'), [{ t: 'entries', from: 3, ts: '2026-01-01T00:00:00.000Z', bodies }]);
      const texts = bodies.map((b) => canonicalize(b));
      await journal.append(s('a'), [{ t: 'entries', from: 8, ts: '2026-01-01T00:00:01.000Z', bodies, texts }]);
      const read = await journal.read(s('a'));
      expect(read.map((r) => r.t === 'entries' && Array.from({ length: r.texts.length }, (_, i) => r.texts.text(i)))).toEqual([texts, texts]);
      expect(read.map((r) => r.t === 'entries' && Array.from({ length: r.texts.length }, (_, i) => r.texts.byteLength(i)))).toEqual([
        texts.map((t) => Buffer.byteLength(t)),
        texts.map((t) => Buffer.byteLength(t)),
      ]);
    });

    it('does not let callers mutate what it stored', async () => {
      const record = { t: 'entries' as const, from: 0, ts: '2026-01-01T00:00:00.000Z', bodies: [{ i: 0 }] as unknown[] };
      await journal.append(s('a'), [record as JournalRecord]);
      record.bodies.push('sneaky');
      expect(plain(await journal.read(s('a')))).toEqual([batch(0, 1)]);
    });
  });
}

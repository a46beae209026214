import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Journal } from '../application/ports/Journal';
import { canonicalize, type JournalRecord, type StreamId } from '../domain';

const header: JournalRecord = { t: 'header', header: { kind: 'log', createdAt: '2026-01-01T00:00:00.000Z', attrs: {} } };
const batch = (from: number, n: number): JournalRecord => ({
  t: 'entries',
  from,
  ts: '2026-01-01T00:00:00.000Z',
  bodies: Array.from({ length: n }, (_, i) => ({ i: from + i })),
});
const s = (id: string): StreamId => id as StreamId;

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
      expect(await journal.read(s('notes'))).toEqual([header, batch(0, 2), batch(2, 3)]);
    });

    it('keeps streams apart, including ids that differ only in case', async () => {
      await journal.append(s('Notes'), [batch(0, 1)]);
      await journal.append(s('notes'), [batch(0, 2)]);
      expect(await journal.read(s('Notes'))).toEqual([batch(0, 1)]);
      expect(await journal.read(s('notes'))).toEqual([batch(0, 2)]);
      expect(await journal.streams()).toEqual(['Notes', 'notes']);
    });

    it('returns nothing for an unknown stream', async () => {
      expect(await journal.read(s('none'))).toEqual([]);
      expect(await journal.streams()).toEqual([]);
    });

    it('replaces atomically, and an empty replacement removes the stream', async () => {
      await journal.append(s('a'), [header, batch(0, 5)]);
      await journal.replace(s('a'), [batch(5, 1)]);
      expect(await journal.read(s('a'))).toEqual([batch(5, 1)]);
      await journal.replace(s('a'), []);
      expect(await journal.read(s('a'))).toEqual([]);
      expect(await journal.streams()).toEqual([]);
    });

    it('reads back plain JSON that encodes as it was appended (export seals what it reads)', async () => {
      const bodies = [{ text: 'é😀', n: -1.5e300, list: [null, true, {}] }, 'x', 0];
      await journal.append(s('a'), [header, { t: 'entries', from: 0, ts: '2026-01-01T00:00:00.000Z', bodies }]);
      const [, read] = await journal.read(s('a'));
      expect(read!.t === 'entries' && canonicalize(read!.bodies)).toBe(canonicalize(bodies));
    });

    it('does not let callers mutate what it stored', async () => {
      const record = { t: 'entries' as const, from: 0, ts: '2026-01-01T00:00:00.000Z', bodies: [{ i: 0 }] as unknown[] };
      await journal.append(s('a'), [record as JournalRecord]);
      record.bodies.push('sneaky');
      expect(await journal.read(s('a'))).toEqual([batch(0, 1)]);
    });
  });
}

import fc from 'fast-check';
import { BodyTexts, blobRef, canonicalize, collectBlobRefs, journalLine, parseJournalLine, type BlobRef, type ContentHash, type Json, type StoredEntries } from '../../src/domain';

const ts = '2026-01-01T00:00:00.000Z';
/** Texts as the journal gives them back: views of one line's bytes. */
const fromJournal = (bodies: Json[]): BodyTexts => {
  const line = journalLine({ t: 'entries', from: 0, ts, bodies });
  return (parseJournalLine(line.slice(0, -1), 'under test') as StoredEntries).texts;
};

describe('BodyTexts', () => {
  it('give each text, its byte length and a copy of its bytes', () => {
    const bodies: Json[] = [{ b: 'é😀', a: 1 }, null, '東京'];
    const texts = fromJournal(bodies);
    expect(texts.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      const expected = canonicalize(bodies[i]);
      expect(texts.text(i)).toBe(expected);
      expect(texts.byteLength(i)).toBe(Buffer.byteLength(expected));
      const out = Buffer.alloc(texts.byteLength(i) + 2, 0x20);
      expect(texts.copy(i, out, 1)).toBe(Buffer.byteLength(expected));
      expect(out.toString('utf8')).toBe(` ${expected} `);
    }
  });

  it('make entries whose body is parsed once, on first read, and is an own enumerable property like any entry\'s', () => {
    const texts = fromJournal([{ a: [1] }, null]);
    const entry = texts.entry(0, 5, ts);
    expect(Object.keys(entry)).toEqual(['ordinal', 'ts', 'body']);
    expect(entry.body).toBe(entry.body); // the same parsed value each time
    expect(entry).toEqual({ ordinal: 5, ts, body: { a: [1] } });
    expect({ ...entry }).toEqual({ ordinal: 5, ts, body: { a: [1] } });
    expect(JSON.parse(JSON.stringify(texts.entry(1, 6, ts)))).toEqual({ ordinal: 6, ts, body: null });
  });

  it('say a body may reference a blob whenever it does (property): a text without `$blob":` needs no parsing', () => {
    const hash = fc.constantFrom('0'.repeat(64), 'e'.repeat(64)) as fc.Arbitrary<ContentHash>;
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('$blob', 'a$blob', '$blob"', 'size'));
    const { body } = fc.letrec((tie) => ({
      body: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('$blob":', '"$blob":', '\\"$blob\\":')),
        fc.integer(),
        fc.tuple(hash, fc.nat()).map(([h, n]) => blobRef(h, n) as Json),
        fc.array(tie('body'), { maxLength: 3 }),
        fc.dictionary(key, tie('body'), { maxKeys: 3 }),
      ),
    }));
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (bodies, order) => {
        const texts = fromJournal(bodies as Json[]);
        // asked in order, and in any order (the scan's memo must not skip a reference)
        for (const i of [...bodies.keys(), ...order.map((n) => n % bodies.length)]) {
          const refs = new Map<string, BlobRef>();
          collectBlobRefs(bodies[i] as Json, refs);
          if (refs.size > 0) expect(texts.mayReferenceBlobs(i)).toBe(true);
          if (!texts.text(i).includes('$blob":')) expect(texts.mayReferenceBlobs(i)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { canonicalize, encodeBody, entriesFromTexts, entriesRecordOf, journalLine, type BlobRef, type Json } from '../../src/domain';
import { expectCode } from '../../src/testing';

describe('entries made from canonical text', () => {
  const text = canonicalize({ text: 'granite', tags: ['a', 'b'], n: -0 });

  it('parse the body on first read, once, and hand out the same object after', () => {
    const e = entriesFromTexts(7, '2026-01-01T00:00:00.000Z', [text])[0]!;
    const first = e.body;
    expect(first).toEqual({ n: 0, tags: ['a', 'b'], text: 'granite' });
    expect(e.body).toBe(first);
  });

  it('show the body to spreading, cloning, JSON and equality like a plain entry', () => {
    const e = entriesFromTexts(7, '2026-01-01T00:00:00.000Z', [text])[0]!;
    const plain = { ordinal: 7, ts: '2026-01-01T00:00:00.000Z', body: JSON.parse(text) as Json };
    expect(Object.keys(e)).toEqual(['ordinal', 'ts', 'body']);
    expect({ ...e }).toEqual(plain);
    expect(structuredClone(e)).toEqual(plain);
    expect(JSON.parse(JSON.stringify(e))).toEqual(plain);
    expect(e).toEqual(plain);
  });

  it('a record made from them writes the same journal line as one made from the bodies, and reads back their bodies', () => {
    const bodies: Json[] = [{ b: 1, a: 'x' }, 'y', [null, { z: '\ud800' }]];
    const texts = bodies.map((b) => canonicalize(b));
    const entries = entriesFromTexts(3, '2026-01-01T00:00:00.000Z', texts);
    const record = entriesRecordOf(entries, texts);
    expect(journalLine(record)).toBe(journalLine({ t: 'entries', from: 3, ts: '2026-01-01T00:00:00.000Z', bodies }));
    expect(record.t === 'entries' && record.bodies).toEqual(JSON.parse(JSON.stringify(bodies)));
    // the record's bodies are the entries' own (one parse, shared)
    expect(record.t === 'entries' && record.bodies[0]).toBe(entries[0]!.body);
  });

  it('a record needs one text per entry', () => {
    const e = entriesFromTexts(0, '2026-01-01T00:00:00.000Z', ['1'])[0]!;
    expect(() => entriesRecordOf([e], [])).toThrow(RangeError);
    expect(() => entriesRecordOf([], [])).toThrow(RangeError);
  });
});

describe('encodeBody on hostile shapes', () => {
  it('refuses a body nested far past the limit without exhausting the stack', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = i % 2 ? [deep] : { d: deep };
    await expectCode(() => encodeBody(deep, 0, new Map()), 'ENTRY_TOO_LARGE');
  });

  it('collects each blob reference once, at any depth, and nothing when the body is refused', async () => {
    const h = 'a'.repeat(64);
    const refs = new Map<string, BlobRef>();
    encodeBody({ x: [{ $blob: h, size: 3 }], y: { $blob: h, size: 3 } }, 0, refs);
    expect([...refs.values()]).toEqual([{ hash: h, size: 3 }]);
    const untouched = new Map<string, BlobRef>();
    await expectCode(() => encodeBody([{ $blob: 'b'.repeat(64), size: 1 }, NaN], 0, untouched), 'JSON_NOT_CANONICALIZABLE');
    expect(untouched.size).toBe(0);
  });
});

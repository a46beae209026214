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

  /** A value that answers its reads in turn from `answers` (the last one from then on): a getter or a proxy. */
  function flipping(answers: unknown[]): { readonly v: unknown; reads: number } {
    return {
      reads: 0,
      get v() {
        return answers[Math.min(this.reads++, answers.length - 1)];
      },
    };
  }

  it('a body that reads differently on each walk: the blob references are always those of the text it is stored as', () => {
    const h = 'c'.repeat(64);
    // The first read (the text) is a blob reference, later reads are not ...
    const first = flipping([h, 'nope']);
    const refs = new Map<string, BlobRef>();
    const out = encodeBody({ a: { get $blob() { return first.v; }, size: 3 } }, 0, refs);
    expect(JSON.parse(out.text)).toEqual({ a: { $blob: h, size: 3 } });
    expect([...refs.values()]).toEqual([{ hash: h, size: 3 }]);
    // ... and the other way round: a text that references no blob collects none.
    const second = flipping(['nope', h]);
    const none = new Map<string, BlobRef>();
    const text = encodeBody({ a: { get $blob() { return second.v; }, size: 3 } }, 0, none).text;
    expect(JSON.parse(text)).toEqual({ a: { $blob: 'nope', size: 3 } });
    expect(none.size).toBe(0);
  });

  it('a body that reads shallow to the depth check but deep when encoded is refused as too deep, not stored deep', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = [deep];
    // the walk sees it deep (and stops), the depth check shallow, the encoder deep again
    const x = flipping([deep, 'shallow', deep]);
    await expectCode(() => encodeBody({ get x() { return x.v; } }, 4, new Map()), 'ENTRY_TOO_LARGE');
  });

  it('a body that reads differently on each walk and is refused by the walk: what is stored, referenced and searched is one text', () => {
    const h = 'd'.repeat(64);
    // The walk stops at NaN, the depth check reads anything, the encoder a blob reference, later reads differ.
    const x = flipping([NaN, 'anything', { $blob: h, size: 1 }, 'after']);
    const refs = new Map<string, BlobRef>();
    const out = encodeBody({ get x() { return x.v; }, y: 'granite' }, 0, refs);
    expect(JSON.parse(out.text)).toEqual({ x: { $blob: h, size: 1 }, y: 'granite' });
    expect([...refs.values()]).toEqual([{ hash: h, size: 1 }]);
    expect(out.searchText).toBe(`${h} granite`);
  });
});

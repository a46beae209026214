import fc from 'fast-check';
import { canonicalize, canonicalBytes, entryLine, entryLineOf, journalLine, type Json } from '../../src/domain';
import { crc32Portable } from '../../src/domain/crc32';
import { expectCode } from '../../src/testing';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalize({ b: { d: 1, c: [{ z: 1, y: 2 }] }, a: null, u: undefined })).toBe('{"a":null,"b":{"c":[{"y":2,"z":1}],"d":1}}');
  });
  it('ends a document with exactly one newline', () => {
    expect(Buffer.from(canonicalBytes([1])).toString()).toBe('[1]\n');
  });
  it.each([NaN, Infinity, () => 1, Symbol('x'), 10n, new Date(0), new Map()])('refuses %p', async (v) => {
    await expectCode(() => canonicalize({ v }), 'JSON_NOT_CANONICALIZABLE');
  });
  it('is stable: parse then canonicalize gives the same text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalize(value);
        expect(canonicalize(JSON.parse(once))).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
  it('does not depend on key insertion order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalize(reversed)).toBe(canonicalize(obj));
      }),
      { numRuns: 200 },
    );
  });
});

describe('lines composed from canonical body text', () => {
  const ts = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());

  it('an entry line from its body text is the canonical JSON of {body, ordinal, ts}', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(), ts, (body, ordinal, at) => {
        const expected = `${canonicalize({ body, ordinal, ts: at })}\n`;
        expect(entryLineOf(ordinal, at, canonicalize(body))).toBe(expected);
        expect(entryLine({ ordinal, ts: at, body: body as Json })).toBe(expected);
      }),
    );
  });

  it('a journal line is the canonical JSON of its record with the bodies\' byte lengths and a CRC-32 of the line without its digits, with or without the texts shortcut', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 5 }), fc.nat(), ts, (bodies, from, at) => {
        const record = { t: 'entries' as const, from, ts: at, bodies: bodies as Json[] };
        const line = journalLine(record);
        expect(journalLine({ ...record, texts: bodies.map((b) => canonicalize(b)) })).toBe(line);
        const { crc } = JSON.parse(line) as { crc: number };
        const lens = bodies.map((b) => Buffer.byteLength(canonicalize(b)));
        expect(line).toBe(`${canonicalize({ ...record, crc, lens })}\n`);
        const digits = line.lastIndexOf('],"crc":') + '],"crc":'.length;
        expect(crc32Portable(line.slice(0, digits) + line.slice(digits + String(crc).length, -1))).toBe(crc);
      }),
    );
  });
});

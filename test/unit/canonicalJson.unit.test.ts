import fc from 'fast-check';
import { canonicalize, canonicalBytes } from '../../src/domain';
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

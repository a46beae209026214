import fc from 'fast-check';
import { encodeSegment, parseOriginId, parseStreamId, segmentEnvelope, sha256Hex, type SegmentExpectation } from '../../src/domain';
import { outcome } from '../helpers/entryLineReference';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 40) * 25;
const origin = parseOriginId('laptop-1a2b3c');
const stream = parseStreamId('notes');
const segment = encodeSegment(origin, stream, [
  { ordinal: 0, ts: '2026-11-22T10:00:00.000Z', body: { text: 'ünïcødé 😀 東京' } },
  { ordinal: 1, ts: '2026-11-22T10:00:01.000Z', body: ['a', 1, null] },
  { ordinal: 2, ts: '2026-11-22T10:00:02.000Z', body: 'three' },
]).bytes;

// Byte runs that break UTF-8 or the framing: a BOM, stray continuation bytes, an overlong NUL, an encoded
// surrogate, a code point above U+10FFFF, truncated sequences, newlines, a carriage return.
const run = fc.constantFrom(
  [0xef, 0xbb, 0xbf],
  [0x80],
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe6, 0x9d],
  [0xf0, 0x9f, 0x98],
  [0x0a],
  [0x0d, 0x0a],
  [0x20],
  [0x7b],
);
const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'replace', 'delete', 'truncate'), run);

function apply(bytes: Uint8Array, edits: readonly (readonly [number, string, readonly number[]])[]): Uint8Array {
  let b = Array.from(bytes);
  for (const [at, how, r] of edits) {
    const i = at % (b.length + 1);
    if (how === 'insert') b = [...b.slice(0, i), ...r, ...b.slice(i)];
    else if (how === 'replace') b = [...b.slice(0, i), ...r, ...b.slice(i + r.length)];
    else if (how === 'delete') b = [...b.slice(0, i), ...b.slice(i + 1)];
    else b = b.slice(0, i);
  }
  return Uint8Array.from(b);
}

describe('segment envelope (property)', () => {
  it(`verifying on the bytes (pull) and on the decoded text (import) agree on any damage (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 0, maxLength: 3 }), fc.boolean(), (edits, expectRange) => {
        const bytes = apply(segment, edits);
        // Named by its own hash, so every check after the hash is exercised.
        const named: SegmentExpectation = { hash: sha256Hex(bytes), origin, stream, ...(expectRange ? { from: 0, to: 3 } : {}) };
        const onBytes = outcome(() => segmentEnvelope(bytes, named, 'w', false).header);
        const onText = outcome(() => segmentEnvelope(bytes, named, 'w', true).header);
        expect(onBytes).toEqual(onText);
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees on the empty input, a lone BOM and a segment after a BOM', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.from([0xef, 0xbb, 0xbf]), Uint8Array.from([0xef, 0xbb, 0xbf, ...segment])]) {
      const named: SegmentExpectation = { hash: sha256Hex(bytes), origin };
      expect(outcome(() => segmentEnvelope(bytes, named, 'w', false).header)).toEqual(outcome(() => segmentEnvelope(bytes, named, 'w', true).header));
    }
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...segment]);
    expect(outcome(() => segmentEnvelope(bom, { hash: sha256Hex(bom), origin }, 'w', false).header)).toMatchObject({ ok: { from: 0, to: 3 } });
  });
});

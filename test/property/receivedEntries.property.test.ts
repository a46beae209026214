import fc from 'fast-check';
import { canonicalize, jsonDepthExceeds, searchText, type Json } from '../../src/domain';
import { decodeEntryLines, fastLine } from '../../src/domain/artifacts/entryLines';
import { scanCanonical } from '../../src/domain/canonicalText';
import { outcome, referenceEntryLines } from '../helpers/entryLineReference';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 40) * 25; // pure and fast: many more runs
const WHERE = 'segment prop';

// Bodies whose canonical text is unusual (as in hostileBodies): -0, lone surrogates, __proto__, keys that
// sort by UTF-16 units ('10' < '9'), extreme numbers, control characters.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('granite', 'über 東京', '\ud800', 'a\udc00b', '😀', '', '"\\/', '\u0000\u001f\u007f\u2028', ',"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}'),
);
const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'body', 'ordinal', 'ts', '\uffff', '\ud83d\ude00', '9', '10', '01', '-1'));
const { body } = fc.letrec<{ body: Json }>((tie) => ({
  body: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(-0, 1e21, 5e-324, -1e-7, 2 ** 53 + 1, 1.7976931348623157e308, 0.1, 100),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    text,
    fc.array(tie('body'), { maxLength: 4 }),
    fc.dictionary(key, tie('body'), { maxKeys: 4 }),
  ),
}));
const ts = fc.oneof(
  fc.constantFrom('2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00Z', '2026-11-22T10:00:00.123456789Z', '1970-01-01T00:00:00.000Z'),
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
);
const ordinal = fc.oneof(fc.nat(20), fc.nat(), fc.constantFrom(1e15 - 1, 1e15, 2 ** 53 - 1));

/** Spellings of a body's JSON other than the canonical one (same value, or nearly). */
const spelling = (value: unknown): fc.Arbitrary<string> =>
  fc.constantFrom(
    canonicalize(value),
    JSON.stringify(value), // insertion order, integer keys first
    JSON.stringify(value, null, 1), // whitespace
    ` ${canonicalize(value)}\t`,
    canonicalize(value).replace(/"([a-z])/g, (_m, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`), // escaped letters
    canonicalize(value).replace(/\d(?=[,\]}]|$)/, (d) => `${d}.0`), // another number spelling
    canonicalize(value).replace(/"(\w+)":/, '"$1":0,"$1":'), // a duplicate key
  );

/** Snippets that make lines hostile when inserted anywhere. */
const snippet = fc.constantFrom(' ', '\t', ',', '"', '\\', '{', '}', ':', '0', ',"ordinal":0', ',"ordinal":1', ',"x":1', '"bo\\u0064y":1,', ',"body":2', ',"ts":"2026-11-22T10:00:00.000Z"}', 'e5', 'e400', '-');

interface LineCase {
  readonly lines: string[];
  readonly from: number;
}

/** Lines built from parts, with the shape varied: members reordered, extra or duplicate members, spellings. */
const structured: fc.Arbitrary<LineCase> = fc
  .record({
    bodies: fc.array(body, { minLength: 1, maxLength: 4 }),
    from: ordinal,
    ts,
    shape: fc.constantFrom('canonical', 'canonical', 'canonical', 'reordered', 'extra', 'duplicateOrdinal', 'ordinalSpelling', 'escapedTs'),
  })
  .chain(({ bodies, from, ts, shape }) =>
    fc.tuple(...bodies.map(spelling)).map((texts): LineCase => ({
      from,
      lines: texts.map((b, i) => {
        const n = from + i;
        switch (shape) {
          case 'reordered':
            return `{"ordinal":${n},"body":${b},"ts":"${ts}"}`;
          case 'extra':
            return `{"body":${b},"extra":{"k":[1]},"ordinal":${n},"ts":"${ts}"}`;
          case 'duplicateOrdinal':
            return `{"body":${b},"ordinal":${n + 1},"ordinal":${n},"ts":"${ts}"}`;
          case 'ordinalSpelling':
            return `{"body":${b},"ordinal":${n}.0,"ts":"${ts}"}`;
          case 'escapedTs':
            return `{"body":${b},"ordinal":${n},"ts":"${ts.replace('T', '\\u0054')}"}`;
          default:
            return `{"body":${b},"ordinal":${n},"ts":"${ts}"}`;
        }
      }),
    })),
  );

/** A canonical line with random edits: snippets inserted, characters removed or replaced. */
const mutated: fc.Arbitrary<LineCase> = fc
  .record({ value: body, from: ordinal, ts, edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), snippet), { minLength: 1, maxLength: 3 }) })
  .map(({ value, from, ts, edits }) => {
    let l = `{"body":${canonicalize(value)},"ordinal":${from},"ts":"${ts}"}`;
    for (const [at, how, s] of edits) {
      const i = at % (l.length + 1);
      l = how === 'insert' ? l.slice(0, i) + s + l.slice(i) : how === 'delete' ? l.slice(0, i) + l.slice(i + 1) : l.slice(0, i) + s + l.slice(i + s.length);
    }
    return { lines: [l], from };
  });

/** Whether JSON.parse accepts a text (the precondition of scanCanonical). */
function parses(t: string): boolean {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

describe('received entry lines (property)', () => {
  it(`the fast path and the general path agree on canonical and reshaped lines (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(structured, ({ lines, from }) => {
        expect(outcome(() => decodeEntryLines(lines, from, WHERE))).toEqual(outcome(() => referenceEntryLines(lines, from, WHERE)));
      }),
      { numRuns: RUNS },
    );
  });

  it(`... and on randomly damaged lines (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(mutated, fc.boolean(), ({ lines, from }, shift) => {
        const at = shift ? from + 1 : from;
        expect(outcome(() => decodeEntryLines(lines, at, WHERE))).toEqual(outcome(() => referenceEntryLines(lines, at, WHERE)));
      }),
      { numRuns: RUNS },
    );
  });

  it(`a line the fast path takes is the entry the general path reads, and its text is canonical (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.oneof(structured, mutated), ({ lines, from }) => {
        lines.forEach((l, i) => {
          const fast = fastLine(l, from + i);
          if (!fast) return;
          const slow = outcome(() => referenceEntryLines([l], from + i, WHERE));
          if (!('ok' in slow)) {
            // The line's shape is right but its body cannot be encoded (±Infinity): the caller refuses it.
            expect(slow).toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringContaining('Infinity has no JSON form') });
            expect(fast.text).toBeUndefined();
            return;
          }
          expect(fast.entry).toEqual(slow.ok.entries[0]);
          expect(fast.search).toBe(slow.ok.searchTexts[0]);
          if (fast.text !== undefined) expect(fast.text).toBe(slow.ok.texts[0]);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it(`canonical lines take the fast path and keep their body text (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(body, ordinal.filter((n) => n < 1e15), ts, (value, n, t) => {
        const bodyText = canonicalize(value);
        const fast = fastLine(`{"body":${bodyText},"ordinal":${n},"ts":"${t}"}`, n);
        expect(fast?.text).toBe(bodyText);
      }),
      { numRuns: RUNS },
    );
  });

  it(`the canonical check says yes exactly for the canonical encoding, and collects the search text (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        body.chain((v) => fc.oneof(spelling(v), fc.tuple(fc.nat(), snippet).map(([at, s]) => { const c = canonicalize(v); const i = at % (c.length + 1); return c.slice(0, i) + s + c.slice(i); }))),
        (t) => {
          if (!parses(t)) return;
          const value = JSON.parse(t) as Json;
          let canonical: string | undefined;
          try {
            canonical = canonicalize(value);
          } catch {
            canonical = undefined;
          }
          const parts: string[] = [];
          const yes = scanCanonical(t, parts);
          expect(yes).toBe(canonical === t && !jsonDepthExceeds(value, 64));
          if (yes) expect(parts.join(' ')).toBe(searchText(value));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

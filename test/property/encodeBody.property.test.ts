import fc from 'fast-check';
import {
  canonicalize,
  collectBlobRefs,
  encodeBody,
  entryTooDeep,
  jsonDepthExceeds,
  LIMITS,
  searchText,
  type BlobRef,
  type Json,
} from '../../src/domain';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 40) * 25;

/** What append did before the fused walk, step by step: the reference the walk must equal, error for error. */
function reference(body: unknown, ordinal: number): Outcome {
  try {
    if (jsonDepthExceeds(body, LIMITS.maxJsonDepth)) throw entryTooDeep(ordinal);
    const text = canonicalize(body);
    const refs = new Map<string, BlobRef>();
    collectBlobRefs(body as Json, refs);
    return { ok: true, text, searchText: searchText(JSON.parse(text) as Json), refs: sorted(refs) };
  } catch (err) {
    return failed(err);
  }
}

function fused(body: unknown, ordinal: number): Outcome {
  try {
    const refs = new Map<string, BlobRef>();
    const out = encodeBody(body, ordinal, refs);
    return { ok: true, text: out.text, searchText: out.searchText, refs: sorted(refs) };
  } catch (err) {
    return failed(err);
  }
}

type Outcome = { ok: true; text: string; searchText: string; refs: BlobRef[] } | { ok: false; name: string; code: unknown; message: string };

function failed(err: unknown): Outcome {
  const e = err as Error & { code?: unknown };
  return { ok: false, name: e.name, code: e.code, message: e.message };
}

function sorted(refs: Map<string, BlobRef>): BlobRef[] {
  return [...refs.values()].sort((a, b) => (a.hash < b.hash ? -1 : 1));
}

// Strings JSON.stringify escapes or that sort oddly: controls, quotes, backslashes, lone and paired surrogates.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('', 'granite', 'über 東京', '\ud800', 'a\udc00b', '😀', '\udbff\udfff', '"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', 'a"b\\c\nd'),
);
// Keys that objects order differently from canonical JSON (integer-like keys come first, numerically), or that
// are special to JavaScript or to blob references.
const key = fc.oneof(
  text,
  fc.constantFrom('__proto__', 'constructor', 'toString', 'toJSON', '\uffff', '\ud83d\ude00', '9', '10', '01', '-1', '0', '4294967294', '4294967295', '$blob', 'size'),
);
const hash = fc.stringMatching(/^[0-9a-f]{64}$/);
// Blob references, and near misses that are not one.
const blobish = fc.oneof(
  fc.record({ $blob: hash, size: fc.nat() }),
  fc.record({ $blob: hash, size: fc.nat(), note: text }),
  fc.record({ $blob: fc.oneof(hash.map((h) => h.toUpperCase()), hash.map((h) => h.slice(1))), size: fc.nat() }),
  fc.record({ $blob: hash, size: fc.constantFrom(-1, 1.5, 2 ** 53, '1') }),
);
const number = fc.oneof(fc.constantFrom(-0, 0, 1e21, 1e-7, 5e-324, 2 ** 53 + 1, 1.7976931348623157e308, -1e-7), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());

/** Values no canonical JSON has: each must be refused with the reference's code and message. */
class Point {
  x = 1;
}
const notJson = fc.constantFrom<() => unknown>(
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => undefined,
  () => () => 1,
  () => Symbol('s'),
  () => 10n,
  () => new Date(0),
  () => new Map([[1, 2]]),
  () => new Point(),
  () => new String('boxed'),
  () => Object.create({ inherited: 1 }) as unknown,
  () => [1, , 3],
  () => ({ toJSON: () => 'x' }),
);

function nullProto(entries: [string, unknown][]): unknown {
  const o = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const { good, bad } = fc.letrec((tie) => ({
  good: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    blobish,
    fc.array(tie('good'), { maxLength: 4 }),
    fc.dictionary(key, fc.option(tie('good'), { nil: undefined, freq: 4 }), { maxKeys: 5 }),
    fc.array(fc.tuple(key, tie('good')), { maxLength: 3 }).map(nullProto),
  ),
  // Like good, but somewhere (maybe deep) holds a value that is not JSON.
  bad: fc.oneof(
    { depthSize: 'small' },
    notJson.map((make) => make()),
    fc.tuple(fc.array(tie('good'), { maxLength: 3 }), tie('bad'), fc.nat()).map(([items, b, at]) => {
      const list: unknown[] = [...items];
      list.splice(at % (list.length + 1), 0, b);
      return list;
    }),
    fc.tuple(fc.dictionary(key, tie('good'), { maxKeys: 3 }), key, tie('bad')).map(([obj, k, b]) => {
      const o: Record<string, unknown> = { ...obj };
      // (an undefined member is dropped, not refused: put a NaN there instead)
      Object.defineProperty(o, k, { value: b === undefined ? NaN : b, enumerable: true, writable: true, configurable: true });
      return o;
    }),
  ),
}));

/** A value wrapped in `levels` arrays or objects (alternating by `shape`), to reach the depth limit exactly. */
function nest(value: unknown, levels: number, shape: number): unknown {
  let v = value;
  for (let i = 0; i < levels; i++) v = (shape >> i % 30) & 1 ? [v] : { [`k${i % 3}`]: v, z: i };
  return v;
}
const deep = fc
  .tuple(fc.oneof(good, bad), fc.integer({ min: LIMITS.maxJsonDepth - 4, max: LIMITS.maxJsonDepth + 2 }), fc.nat())
  .map(([v, levels, shape]) => nest(v, levels, shape));

describe('encodeBody: one walk equals depth check, canonicalize, collectBlobRefs and searchText (property)', () => {
  it(`gives the same canonical text, search text and blob references on any JSON (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(good, fc.nat(), (body, ordinal) => {
        const out = fused(body, ordinal);
        expect(out).toEqual(reference(body, ordinal));
        // and the search text is the one the read model derives from the body itself (a rebuild does)
        if (out.ok) expect(out.searchText).toBe(searchText(body as Json));
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses what the reference refuses, with the same error code and message (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(bad, fc.nat(), (body, ordinal) => {
        const out = fused(body, ordinal);
        expect(out.ok).toBe(false);
        expect(out).toEqual(reference(body, ordinal));
      }),
      { numRuns: RUNS },
    );
  });

  it(`agrees at and around the depth limit, whatever else is wrong (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(deep, fc.nat(), (body, ordinal) => {
        expect(fused(body, ordinal)).toEqual(reference(body, ordinal));
      }),
      { numRuns: RUNS },
    );
  });
});

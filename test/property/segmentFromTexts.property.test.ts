import fc from 'fast-check';
import {
  BodyTexts,
  blobRef,
  canonicalize,
  journalLine,
  LIMITS,
  parseOriginId,
  parseStreamId,
  planSegments,
  readJournalLine,
  type ContentHash,
  type EncodedSegment,
  type Entry,
  type Json,
  type StoredEntries,
} from '../../src/domain';
import { expectCode } from '../../src/testing';

const origin = parseOriginId('desk-000001');
const stream = parseStreamId('notes');

// Bodies whose canonical text is not what a naive copy would give (as test/property/hostileBodies), plus blob
// references anywhere, keys that end in `$blob` and strings that spell one.
const hash = fc.constantFrom(...['0', '7', 'a', 'f'].map((c) => c.repeat(64) as ContentHash));
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('granite', 'über 東京', '\ud800', 'a\udc00b', '😀', '', '$blob":', '"$blob":', '],"crc":1,', '\n', '\u2028'),
);
const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', '\uffff', '9', '10', '-1', '$blob', 'a$blob', 'crc', 'lens', 'size'));
const { body } = fc.letrec((tie) => ({
  body: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(-0, 1e21, 5e-324, -1e-7, 2 ** 53 + 1, 1.7976931348623157e308),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    text,
    fc.tuple(hash, fc.nat()).map(([h, size]) => blobRef(h, size)),
    fc.record({ $blob: hash, size: fc.oneof(fc.nat(), fc.constant(-1)), extra: tie('body') }),
    fc.array(tie('body'), { maxLength: 3 }),
    fc.dictionary(key, fc.option(tie('body'), { nil: undefined }), { maxKeys: 4 }),
  ),
}));
const ts = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
/** Append batches: each one journal record of bodies at one ts. */
const batches = fc.array(fc.record({ ts, bodies: fc.array(body, { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 4 });

/** What the journal gives back, run into one stream's pending entries and texts (as LocalStreams does). */
function readBack(lines: readonly string[], from: number): { entries: Entry[]; texts: BodyTexts } {
  const data = Buffer.from(lines.join(''), 'utf8');
  const entries: Entry[] = [];
  const texts = new BodyTexts();
  for (let start = 0, nl = data.indexOf(0x0a); nl >= 0; start = nl + 1, nl = data.indexOf(0x0a, start)) {
    const record = readJournalLine(data, start, nl, 'under test') as StoredEntries;
    for (let i = 0; i < record.texts.length; i++) {
      entries.push(record.texts.entry(i, record.from + i, record.ts));
      texts.pushFrom(record.texts, i);
    }
  }
  expect(entries[0]?.ordinal).toBe(from);
  return { entries, texts };
}

function records(list: readonly { ts: string; bodies: unknown[] }[], from: number) {
  let next = from;
  return list.map((b) => {
    const record = { t: 'entries' as const, from: next, ts: b.ts, bodies: b.bodies as Json[] };
    next += b.bodies.length;
    return record;
  });
}

/**
 * The entries as export sealed them before ADR 0014: each journal line parsed (JSON.parse), each body encoded
 * again. (Parsed, not the caller's objects: the order of a body's keys decides which of two references to one
 * blob with different sizes a segment lists, and export always read the journal.)
 */
const original = (lines: readonly string[]): Entry[] =>
  lines.flatMap((line) => {
    const r = JSON.parse(line) as { from: number; ts: string; bodies: Json[] };
    return r.bodies.map((body, i) => ({ ordinal: r.from + i, ts: r.ts, body }));
  });

const same = (a: readonly EncodedSegment[], b: readonly EncodedSegment[]): void => {
  expect(b.map((s) => s.hash)).toEqual(a.map((s) => s.hash));
  expect(b.map((s) => Buffer.from(s.bytes).toString('hex'))).toEqual(a.map((s) => Buffer.from(s.bytes).toString('hex')));
  expect(b.map((s) => s.header)).toEqual(a.map((s) => s.header));
};

describe('segments sealed from the journal\'s body texts (property)', () => {
  it('are byte for byte the segments sealed by encoding every body again', () => {
    fc.assert(
      fc.property(batches, fc.nat({ max: 10 ** 12 }), (list, from) => {
        const lines = records(list, from).map(journalLine);
        const { entries, texts } = readBack(lines, from);
        const expected = [...planSegments(origin, stream, original(lines))];
        same(expected, [...planSegments(origin, stream, entries, texts)]);
        // and the lazily parsed bodies are the bodies, as canonical JSON
        const bodies = list.flatMap((b) => b.bodies.map((x) => canonicalize(x)));
        expect(entries.map((e) => canonicalize(e.body))).toEqual(bodies);
        expect(entries.map((_, i) => texts.text(i))).toEqual(bodies);
      }),
      { numRuns: 300 },
    );
  });

  it('are the same when the journal lines were written before ADR 0014 (no checksum, any key order)', () => {
    fc.assert(
      fc.property(batches, fc.nat({ max: 1000 }), fc.boolean(), (list, from, sorted) => {
        // The previous writer's line: canonical; or a hand-made one in another key order, which parses the same.
        const lines = records(list, from).map((r) =>
          sorted ? `{"bodies":${canonicalize(r.bodies)},"from":${r.from},"t":"entries","ts":${JSON.stringify(r.ts)}}\n` : `${JSON.stringify({ ts: r.ts, t: r.t, from: r.from, bodies: r.bodies })}\n`,
        );
        const { entries, texts } = readBack(lines, from);
        same([...planSegments(origin, stream, original(lines))], [...planSegments(origin, stream, entries, texts)]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('segments sealed from body texts at the limits', () => {
  const at = '2026-11-22T10:00:00.000Z';
  const run = (n: number, size: number, blobEvery = 0): { list: { ts: string; bodies: unknown[] }[] } => ({
    list: Array.from({ length: Math.ceil(n / 1000) }, (_, k) => ({
      ts: at,
      bodies: Array.from({ length: Math.min(1000, n - k * 1000) }, (_, i) => {
        const j = k * 1000 + i;
        return { text: 'x'.repeat(size), j, ...(blobEvery && j % blobEvery === 0 ? { file: blobRef(j.toString(16).padStart(64, '0') as ContentHash, j) } : {}) };
      }),
    })),
  });

  it('split at the entry-count limit and at the byte limit, blob lists included, exactly where the encoding path splits', () => {
    for (const { list } of [run(LIMITS.maxSegmentEntries * 2 + 1, 10, 7), run(60, 150_000, 3), run(30, 200_000)]) {
      const lines = records(list, 0).map(journalLine);
      const { entries, texts } = readBack(lines, 0);
      const expected = [...planSegments(origin, stream, original(lines))];
      expect(expected.length).toBeGreaterThan(1);
      same(expected, [...planSegments(origin, stream, entries, texts)]);
    }
  });

  it('refuse an entry over the size limit', async () => {
    const big = { t: 'entries' as const, from: 0, ts: at, bodies: ['x'.repeat(LIMITS.maxEntryBytes)] };
    const { entries, texts } = readBack([journalLine(big)], 0);
    await expectCode(() => [...planSegments(origin, stream, entries, texts)], 'ENTRY_TOO_LARGE');
  });
});

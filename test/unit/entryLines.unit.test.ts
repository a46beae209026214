import { canonicalize, decodeSegment, sha256Hex, type ContentHash, type OriginId } from '../../src/domain';
import { decodeEntryLines, fastLine } from '../../src/domain/artifacts/entryLines';
import { scanCanonical } from '../../src/domain/canonicalText';
import { outcome, referenceEntryLines } from '../helpers/entryLineReference';

const TS = '2026-11-22T10:00:00.000Z';
const WHERE = 'segment test';
const line = (bodyText: string, ordinal = 0, ts = TS): string => `{"body":${bodyText},"ordinal":${ordinal},"ts":"${ts}"}`;

/** Both paths give the same entries, texts, search texts and errors. */
function agree(lines: string[], from = 0): ReturnType<typeof outcome> {
  const got = outcome(() => decodeEntryLines(lines, from, WHERE));
  expect(got).toEqual(outcome(() => referenceEntryLines(lines, from, WHERE)));
  return got;
}

describe('entry lines of a received segment', () => {
  it('reads a canonical line without re-encoding: its body text is stored as received', () => {
    const body = { tags: ['a', 'b'], text: 'first "entry"\n', n: 1.5 };
    const text = canonicalize(body);
    const fast = fastLine(line(text, 7), 7);
    expect(fast).toEqual({ entry: { ordinal: 7, ts: TS, body }, search: 'a b first "entry"\n', text });
    expect(agree([line(text, 7)], 7)).toEqual({ ok: { entries: [{ ordinal: 7, ts: TS, body }], texts: [text], searchTexts: ['a b first "entry"\n'] } });
  });

  it('stores the canonical encoding, never the received spelling, of a body that is not canonical', () => {
    const cases: [string, string][] = [
      ['{"b":1,"a":2}', '{"a":2,"b":1}'], // key order
      ['{"a":1,"a":2}', '{"a":2}'], // a duplicate key: the last one wins, as JSON.parse does
      ['1.0', '1'],
      ['1E2', '100'],
      ['-0', '0'],
      ['"\\u0041\\/"', '"A/"'], // escapes the encoder does not write
      [' {"a" : [1, 2]} ', '{"a":[1,2]}'], // whitespace
      ['"\\ud83d\\ude00"', '"😀"'], // an escaped surrogate pair is written as the character
    ];
    for (const [received, canonical] of cases) {
      const fast = fastLine(line(received), 0);
      expect(fast?.text).toBeUndefined(); // read by the fast path (the shape is canonical) but encoded
      expect(agree([line(received)])).toMatchObject({ ok: { texts: [canonical] } });
    }
  });

  it('keeps what is canonical however unusual: lone surrogates escaped, keys in UTF-16 order, -1e-7, 1e+21', () => {
    for (const text of ['"\\ud800"', '{"10":1,"9":2}', '{"":0,"\\u0000":1,"\\u001f":2," ":3}', '[-1e-7,1e+21,5e-324]', '{"__proto__":{"x":"y"}}']) {
      expect(canonicalize(JSON.parse(text))).toBe(text);
      expect(fastLine(line(text), 0)?.text).toBe(text);
      agree([line(text)]);
    }
  });

  it('refuses a body with no JSON form (a number beyond double range) on either path, naming the entry and where', () => {
    const hint = ' (a number beyond the range of a double, such as 1e400, reads as ±Infinity)';
    // The canonical line shape (fast path): the line is read, but the body cannot be encoded.
    expect(fastLine(line('{"a":1e400}', 4), 4)).toMatchObject({ entry: { body: { a: Infinity } }, text: undefined });
    expect(agree([line('1', 3), line('{"a":1e400}', 4)], 3)).toEqual({
      code: 'ARTIFACT_INVALID',
      message: `${WHERE}: entry 4: body.a: the number Infinity has no JSON form${hint}`,
    });
    // Another shape (general path), -1e400 nested in an array; the bare body too.
    expect(agree([`{"ts":"${TS}","ordinal":0,"body":{"x":[1,{"y":-1e400}]}}`])).toEqual({
      code: 'ARTIFACT_INVALID',
      message: `${WHERE}: entry 0: body.x[1].y: the number -Infinity has no JSON form${hint}`,
    });
    expect(agree([line('-1e400', 2)], 2)).toMatchObject({ code: 'ARTIFACT_INVALID', message: `${WHERE}: entry 2: body: the number -Infinity has no JSON form${hint}` });
    // Beyond double range but not infinite (1e-400 is 0, 1.7976931348623158e308 rounds to the largest double): fine.
    expect(agree([line('[1e-400,1.7976931348623158e308]')])).toMatchObject({ ok: { texts: ['[0,1.7976931348623157e+308]'] } });
  });

  it('a segment with such a body is an invalid artifact that names the segment and the entry', () => {
    const origin = 'laptop-1a2b3c' as OriginId;
    const header = `{"from":0,"kind":"segment","origin":"${origin}","stream":"notes","to":2,"v":1}\n`;
    for (const bad of [line('{"n":1e400}', 1), `{"body":[-1e400],"ts":"${TS}","ordinal":1}`]) {
      const bytes = new TextEncoder().encode(`${header}${line('{"n":1}', 0)}\n${bad}\n`);
      const hash = sha256Hex(bytes) as ContentHash;
      expect(outcome(() => decodeSegment(bytes, { hash, origin }))).toEqual({
        code: 'ARTIFACT_INVALID',
        message: expect.stringMatching(new RegExp(`^segment ${hash.slice(0, 12)} of ${origin}: entry 1: body(\\.n|\\[0\\]): the number -?Infinity has no JSON form`)),
      });
    }
    // A segment of a future version is not judged by this version's rules: stored and relayed, not imported.
    const future = new TextEncoder().encode(`${header.replace('"v":1', '"v":2')}${line('{"n":1}', 0)}\n${line('{"n":1e400}', 1)}\n`);
    expect(outcome(() => decodeSegment(future, { hash: sha256Hex(future) as ContentHash, origin }))).toMatchObject({ code: 'VERSION_UNSUPPORTED' });
  });

  it('sends every line of another shape through the general path, with the same result or error', () => {
    const hostile = [
      '{"body":1,"ordinal":0,"ordinal":1,"ts":"2026-11-22T10:00:00.000Z"}', // duplicate ordinal
      '{"body":1,"body":2,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}', // duplicate body
      '{"bo\\u0064y":1,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}', // escaped key
      '{"body":1,"ordin\\u0061l":0,"ts":"2026-11-22T10:00:00.000Z"}',
      '{"body":1,"extra":true,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}', // unknown field: ignored
      '{"ordinal":0,"ts":"2026-11-22T10:00:00.000Z","body":1}', // other key order
      '{"body":1, "ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}', // whitespace between members
      '{"body":1,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"} ',
      '{"body":1,"ordinal":0.0,"ts":"2026-11-22T10:00:00.000Z"}', // ordinal spelled otherwise
      '{"body":1,"ordinal":00,"ts":"2026-11-22T10:00:00.000Z"}',
      '{"body":1,"ordinal":-0,"ts":"2026-11-22T10:00:00.000Z"}',
      '{"body":1,"ordinal":0,"ts":"2026-11-22T10:00:00\\u002e000Z"}', // escaped timestamp: same value
      '{"body":1,"ordinal":0,"ts":"yesterday"}',
      '{"body":"x\\",\\"ordinal\\":0,\\"ts\\":\\"2026-11-22T10:00:00.000Z\\"}","ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}', // the tail inside a string
      '{"body":{"a":",\\"ordinal\\":0,\\"ts\\":\\"2026-11-22T10:00:00.000Z\\"}"},"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}',
      '{"body":1,"x":",\\"ordinal\\":0,\\"ts\\":\\"2026-11-22T10:00:00.000Z\\"}","ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}',
      '{"body":,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}', // no body
      '{"body":1,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"', // truncated
      '{"body":1,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}}',
      '{"body":{"a":1,"ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}',
      '{"body":',
      '',
      '[]',
    ];
    for (const l of hostile) {
      for (const from of [0, 1]) agree([l], from);
    }
    // Nothing above reads as a canonical line except where the line is one.
    expect(fastLine(hostile[0]!, 1)).toBeNull();
    expect(fastLine(hostile[2]!, 0)).toBeNull();
    expect(fastLine(hostile[13]!, 0)?.entry.body).toBe('x","ordinal":0,"ts":"2026-11-22T10:00:00.000Z"}');
  });

  it('refuses a body nested deeper than the limit with the same error, at 64 levels and one more', () => {
    for (const depth of [63, 64, 65, 200]) {
      agree([line('['.repeat(depth) + ']'.repeat(depth))]);
      agree([line('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))]);
    }
    expect(outcome(() => decodeEntryLines([line('['.repeat(65) + ']'.repeat(65))], 0, WHERE))).toMatchObject({ code: 'ARTIFACT_INVALID' });
  });

  it('checks each distinct timestamp and ordinal of a run of lines', () => {
    agree([line('1', 5), line('2', 6, '2026-11-22T10:00:01Z'), line('3', 7, '2026-11-22T10:00:01Z'), line('4', 8, '2026-02-30T10:00:01Z')], 5);
    agree([line('1', 5), line('2', 5)], 5);
    agree([line('1', 1e15 - 1)], 1e15 - 1);
    agree([line('1', 2 ** 53 - 1)], 2 ** 53 - 1);
  });

  it('decodes a whole segment the same way', () => {
    const origin = 'laptop-1a2b3c' as OriginId;
    const header = `{"from":3,"kind":"segment","origin":"${origin}","stream":"notes","to":5,"v":1}\n`;
    const bytes = new TextEncoder().encode(`${header}${line('{"b":1,"a":"x"}', 3)}\n${line('"ünïcødé"', 4)}\n`);
    const hash = sha256Hex(bytes) as ContentHash;
    const decoded = decodeSegment(bytes, { hash, origin });
    expect(decoded.texts).toEqual(['{"a":"x","b":1}', '"ünïcødé"']);
    expect(decoded.searchTexts).toEqual(['x', 'ünïcødé']);
  });
});

describe('canonical text check', () => {
  it('accepts exactly the canonical encoding', () => {
    const yes = ['null', 'true', '[]', '{}', '"a\\"b\\\\c\\n\\u0001"', '{"a":[{"b":{}},false,null,-1.25e-8]}', '[1e+21]'];
    const no = ['{"a":1,"a":1}', '{"b":1,"a":1}', '[ ]', '"\\u000a"', '"\\u00e9"', '1.50', '-0', '1e21', '"\\ud83d\\ude00"', '{"\\u0061":1}'];
    for (const t of yes) expect([t, scanCanonical(t, [])]).toEqual([t, true]);
    for (const t of no) expect([t, scanCanonical(t, [])]).toEqual([t, false]);
  });

  it('refuses a raw lone surrogate (the encoder escapes it), which only a caller passing strings could hold', () => {
    expect(scanCanonical('"a\ud800"', [])).toBe(false); // a raw lone surrogate in the text
    expect(scanCanonical('["\udc00"]', [])).toBe(false);
    expect(agree([line('"\ud800"')])).toMatchObject({ ok: { texts: ['"\\ud800"'] } });
  });

  it('collects value strings (not keys) in text order, which is the search text order', () => {
    const parts: string[] = [];
    expect(scanCanonical('{"a":"x","b":["y",{"c":"z\\n"}],"d":1}', parts)).toBe(true);
    expect(parts).toEqual(['x', 'y', 'z\n']);
  });
});

import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { canonicalize, journalBytes, journalLine, readJournalLine, type JournalRecord, type Json, type StoredEntries, type StoredJournalRecord } from '../../src/domain';
import { crc32, crc32Portable } from '../../src/domain/crc32';
import { expectCode } from '../../src/testing';

const ts = '2026-01-01T00:00:00.000Z';
const read = (line: string | Buffer): StoredJournalRecord => {
  const data = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  return readJournalLine(data, 0, data[data.length - 1] === 0x0a ? data.length - 1 : data.length, 'under test');
};
const texts = (r: StoredJournalRecord): string[] => {
  if (r.t !== 'entries') throw new Error('not entries');
  return Array.from({ length: r.texts.length }, (_, i) => r.texts.text(i));
};
/** The line the version before ADR 0014 wrote. */
const oldLine = (from: number, bodies: unknown[]): string => `{"bodies":${canonicalize(bodies)},"from":${from},"t":"entries","ts":"${ts}"}\n`;

describe('crc32', () => {
  it('is zlib\'s CRC-32, in both implementations, continued across pieces (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const whole = Buffer.concat([a, b]);
        const expected = (zlib as { crc32?: (d: Uint8Array) => number }).crc32?.(whole) ?? crc32(whole);
        expect(crc32Portable(whole)).toBe(expected);
        expect(crc32Portable(b, crc32Portable(a))).toBe(expected);
        expect(crc32(b, crc32(a))).toBe(expected);
      }),
      { numRuns: 300 },
    );
    expect(crc32Portable('123456789')).toBe(0xcbf43926); // the standard check value
    expect(crc32('é')).toBe(crc32Portable(Buffer.from('é', 'utf8')));
  });
});

describe('journal lines with body lengths and a checksum (ADR 0014)', () => {
  const bodies: Json[] = [{ b: [1, { y: 'é😀', x: '\u2028"\\' }], a: -0 }, 'x', null, [], { a: [1], crc: 2 }, '],"crc":'];

  it('read back as the canonical texts of the bodies, with from and ts', () => {
    const r = read(journalLine({ t: 'entries', from: 7, ts, bodies })) as StoredEntries;
    expect({ from: r.from, ts: r.ts }).toEqual({ from: 7, ts });
    expect(texts(r)).toEqual(bodies.map((b) => canonicalize(b)));
    expect(r.texts.bodies()).toEqual(bodies.map((b) => JSON.parse(canonicalize(b)) as Json));
  });

  it('round-trip any bodies, several records in one write, whatever their characters (property)', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constant('東京'.repeat(500)), fc.constant('😀'.repeat(300)));
    const body = fc.oneof(text, fc.jsonValue({ maxDepth: 3 }), fc.dictionary(text, text, { maxKeys: 3 }));
    const header: JournalRecord = { t: 'header', header: { kind: 'log', createdAt: ts, attrs: { '東': 'é' } } };
    fc.assert(
      fc.property(fc.array(fc.array(body, { maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (batches, withTexts) => {
        let from = 0;
        const records: JournalRecord[] = [header];
        for (const bodies of batches) {
          records.push({ t: 'entries', from, ts, bodies: bodies as Json[], ...(withTexts ? { texts: bodies.map((b) => canonicalize(b)) } : {}) });
          from += bodies.length;
        }
        const data = journalBytes(records);
        expect(data.toString('utf8')).toBe(records.map(journalLine).join(''));
        const lines = data.toString('utf8').split('\n').slice(0, -1);
        expect(lines.slice(1).map((l) => texts(read(l)))).toEqual(batches.map((bodies) => bodies.map((b) => canonicalize(b))));
        expect(read(lines[0]!)).toEqual(header);
      }),
      { numRuns: 200 },
    );
  });

  it('read back an empty batch', () => {
    expect(texts(read(journalLine({ t: 'entries', from: 0, ts, bodies: [] })))).toEqual([]);
  });

  it('refuse every changed byte as STORE_CORRUPT: a damaged line never yields other texts', () => {
    const line = journalLine({ t: 'entries', from: 12, ts, bodies });
    const bytes = Buffer.from(line.slice(0, -1), 'utf8');
    for (let at = 0; at < bytes.length; at++) {
      for (const value of new Set([bytes[at]! ^ 0x01, bytes[at]! ^ 0x20, 0x20, 0x22, 0x2c, 0x5d, 0x31, 0xff])) {
        if (value === bytes[at]) continue;
        const damaged = Buffer.from(bytes);
        damaged[at] = value;
        let outcome: unknown;
        try {
          outcome = texts(read(damaged));
        } catch (err) {
          outcome = (err as { code?: string }).code;
        }
        expect([at, value, outcome]).toEqual([at, value, 'STORE_CORRUPT']);
      }
    }
  });

  it('refuse a line that names a checksum but is not what the writer writes', async () => {
    const good = journalLine({ t: 'entries', from: 0, ts, bodies: ['a', 'b'] });
    const doc = JSON.parse(good) as Record<string, unknown>;
    const variants = [
      JSON.stringify({ ...doc, lens: undefined }), // no lengths
      JSON.stringify({ ...doc, crc: undefined }), // no checksum
      JSON.stringify({ ...doc, lens: [1, 4] }), // lengths that split elsewhere (the checksum covers them)
      good.slice(0, -1).replace('"t":"entries"', '"t":"entries","x":1'), // an extra key
      good.slice(0, -1).replace('"from":0', '"from": 0'), // a space
    ];
    for (const v of variants) await expectCode(() => read(v), 'STORE_CORRUPT');
  });
});

describe('header lines with a checksum', () => {
  const header: JournalRecord = { t: 'header', header: { kind: 'log', createdAt: ts, attrs: { a: 'b', '東': [1, null] } } };

  it('read back as the header', () => {
    expect(read(journalLine(header))).toEqual(header);
  });

  it('refuse every changed byte as STORE_CORRUPT: a damaged header is never sealed into a manifest', () => {
    // kind "log" -> "lng", createdAt 2026 -> 2027, attrs "b" -> "c": each still parses as a valid header
    const bytes = Buffer.from(journalLine(header).slice(0, -1), 'utf8');
    for (let at = 0; at < bytes.length; at++) {
      for (const value of new Set([bytes[at]! ^ 0x01, bytes[at]! ^ 0x20, 0x20, 0x22, 0x2c, 0x7d, 0x31, 0xff])) {
        if (value === bytes[at]) continue;
        const damaged = Buffer.from(bytes);
        damaged[at] = value;
        let outcome: unknown;
        try {
          outcome = read(damaged);
        } catch (err) {
          outcome = (err as { code?: string }).code;
        }
        expect([at, value, outcome]).toEqual([at, value, 'STORE_CORRUPT']);
      }
    }
  });
});

describe('journal lines written before ADR 0014 (no checksum)', () => {
  it('are read, each body encoded again as canonical JSON', () => {
    const bodies = [{ z: 1, a: [1], crc: 2 }, { lens: [3] }, '],"crc":1,'];
    expect(texts(read(oldLine(3, bodies)))).toEqual(bodies.map((b) => canonicalize(b)));
    // in any key order and spacing, as long as it parses
    const loose = `{ "ts": "${ts}", "t": "entries", "from": 3, "bodies": [ {"z":1, "a":[1], "crc":2}, {"lens":[3]}, "],\\"crc\\":1," ] }`;
    expect(texts(read(loose))).toEqual(bodies.map((b) => canonicalize(b)));
  });

  it('read header lines without a checksum, and refuse one with a key no writer wrote (a damaged checksum key)', async () => {
    const header = { t: 'header', header: { attrs: { x: 1 }, createdAt: ts, kind: 'log' } };
    expect(read(`${canonicalize(header)}\n`)).toEqual(header);
    await expectCode(() => read(canonicalize({ ...header, crd: 1 })), 'STORE_CORRUPT');
  });

  it('still refuse what they always refused', async () => {
    await expectCode(() => read('{"bodiez":[],"from":0,"t":"entries","ts":"2026-01-01T00:00:00.000Z"}'), 'STORE_CORRUPT');
    await expectCode(() => read('{"bodies":[1],"from":-1,"t":"entries","ts":"2026-01-01T00:00:00.000Z"}'), 'STORE_CORRUPT');
    await expectCode(() => read('{"bodies":[1],"from":0,"t":"entries"'), 'STORE_CORRUPT');
    await expectCode(() => read(`{"bodies":[${'['.repeat(70)}${']'.repeat(70)}],"from":0,"t":"entries","ts":"${ts}"}`), 'STORE_CORRUPT');
  });

  it('refuse a value with no JSON form (a number beyond double range, never written by append) as STORE_CORRUPT', async () => {
    const entries = `{"bodies":[1,{"a":[1e400]}],"from":0,"t":"entries","ts":"${ts}"}`;
    await expectCode(() => read(entries), 'STORE_CORRUPT');
    expect(() => read(entries)).toThrow('journal under test: a body cannot be written as JSON at $.a[0] (the number Infinity has no JSON form)');
    const header = `{"header":{"attrs":{"x":-1e400},"createdAt":"${ts}","kind":"log"},"t":"header"}`;
    await expectCode(() => read(header), 'STORE_CORRUPT');
    expect(() => read(header)).toThrow('journal under test: the stream attributes cannot be written as JSON at $.x (the number -Infinity has no JSON form)');
  });
});

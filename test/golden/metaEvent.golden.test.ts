import fc from 'fast-check';
import {
  compareOrderKey,
  decodeMetaEvent,
  encodeMetaEvent,
  parseOriginId,
  resolveRegister,
  sha256Hex,
  type ContentHash,
  type GlobalId,
  type RegisterEvent,
} from '../../src/domain';
import { expectCode } from '../../src/testing';

const origin = parseOriginId('laptop-1a2b3c');
const stream = 'laptop-1a2b3c~notes' as GlobalId;
const HLC = '00001795864800000000.000001';

describe('metadata events (format v1)', () => {
  it('pins the canonical bytes and hash of one event (golden)', () => {
    const { bytes, hash } = encodeMetaEvent({ hlc: HLC, origin, target: { stream }, op: 'rename', field: 'title', value: 'Garden notes' });
    expect(Buffer.from(bytes).toString()).toBe(
      '{"field":"title","hlc":"00001795864800000000.000001","kind":"meta","op":"rename","origin":"laptop-1a2b3c","target":{"stream":"laptop-1a2b3c~notes"},"v":1,"value":"Garden notes"}\n',
    );
    expect(hash).toBe('fc3e011f5ccad28b9e013b2763c9444d0d7c234e28059095a172c7ebaf12861c');
    expect(sha256Hex(bytes)).toBe(hash);
  });

  it('round-trips, including an entry target and a base', () => {
    const base = 'ab'.repeat(32) as ContentHash;
    const e = encodeMetaEvent({ hlc: HLC, origin, target: { stream, ordinal: 4 }, op: 'pin', field: 'pinned', value: true, base });
    expect(decodeMetaEvent(e.bytes, { origin, hlc: HLC, hash: e.hash })).toEqual(e.event);
  });

  it('keeps unknown ops (they are applied after an upgrade)', () => {
    const e = encodeMetaEvent({ hlc: HLC, origin, target: { stream }, op: 'colour', field: 'colour', value: 'green' });
    expect(decodeMetaEvent(e.bytes, { origin, hlc: HLC, hash: e.hash }).op).toBe('colour');
  });

  it('refuses events that are invalid: they are quarantined and never win', async () => {
    const ok = { hlc: HLC, origin, target: { stream }, op: 'star', field: 'starred', value: true as const };
    const check = async (doc: Parameters<typeof encodeMetaEvent>[0], expect: Partial<{ origin: string; hlc: string }>, code: 'ARTIFACT_INVALID' | 'HASH_MISMATCH') => {
      const e = encodeMetaEvent(doc);
      await expectCode(() => decodeMetaEvent(e.bytes, { origin: (expect.origin ?? origin) as never, hlc: expect.hlc ?? doc.hlc, hash: e.hash }), code);
    };
    await check({ ...ok, hlc: 'yesterday' }, { hlc: 'yesterday' }, 'ARTIFACT_INVALID'); // unparsable HLC
    await check(ok, { origin: 'other-000001' }, 'ARTIFACT_INVALID'); // origin does not match its folder
    await check(ok, { hlc: '00001795864800000000.000002' }, 'ARTIFACT_INVALID'); // hlc does not match its name
    await check({ ...ok, value: 'yes' }, {}, 'ARTIFACT_INVALID'); // bad value for star
    await check({ ...ok, op: 'rename', field: 'title', value: '' }, {}, 'ARTIFACT_INVALID'); // empty title
    await check({ ...ok, op: 'pin', field: 'pinned' }, {}, 'ARTIFACT_INVALID'); // pin needs an entry
    await check({ ...ok, field: 'title' }, {}, 'ARTIFACT_INVALID'); // star writes starred
    const e = encodeMetaEvent(ok);
    await expectCode(() => decodeMetaEvent(e.bytes, { origin, hlc: HLC, hash: ('0'.repeat(64)) as ContentHash }), 'HASH_MISMATCH');
  });
});

describe('last writer wins, and the conflict log', () => {
  const ev = (i: number, o: string, value: unknown, base?: string): RegisterEvent => ({
    hash: sha256Hex(new TextEncoder().encode(`${i}${o}${JSON.stringify(value)}`)),
    hlc: `${String(1_000 + (i % 7)).padStart(20, '0')}.000000`,
    origin: o as never,
    value: value as never,
    base: base as never,
  });

  it('the winner is the greatest (hlc, origin, hash) and does not depend on arrival order (property)', () => {
    const arb = fc.array(fc.record({ i: fc.integer({ min: 0, max: 30 }), o: fc.constantFrom('a-000001', 'b-000002', 'c-000003'), v: fc.constantFrom('x', 'y', 'z') }), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(arb, fc.integer(), (raw, seed) => {
        const events = [...new Map(raw.map((r) => ev(r.i, r.o, r.v)).map((e) => [e.hash, e])).values()];
        const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), { seed, numRuns: 1 })[0]!;
        const a = resolveRegister(events);
        const b = resolveRegister(shuffled);
        expect(b).toEqual(a);
        for (const e of events) expect(compareOrderKey(a.winner!, e)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('logs concurrent edits from other origins with other values; not sequential ones, not same-origin ones', () => {
    const a1 = ev(1, 'a-000001', 'first');
    const b2 = ev(2, 'b-000002', 'second'); // concurrent with a1: b had not seen it
    expect(resolveRegister([a1, b2]).conflicts).toEqual([a1]);
    const b2seq = ev(2, 'b-000002', 'second', a1.hash); // b saw a1, then edited: sequential
    expect(resolveRegister([a1, b2seq]).conflicts).toEqual([]);
    const a3 = ev(3, 'a-000001', 'third');
    expect(resolveRegister([a1, a3]).conflicts).toEqual([]); // one origin
    const bSame = ev(4, 'b-000002', 'first');
    expect(resolveRegister([a1, bSame]).conflicts).toEqual([]); // same value: nothing lost
  });
});

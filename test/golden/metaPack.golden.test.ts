import {
  artifactKey,
  decodeMetaPack,
  encodeMetaEvent,
  encodeMetaPack,
  metaStem,
  parseArtifactKey,
  parseOriginId,
  sha256Hex,
  type ContentHash,
  type GlobalId,
  type MetaEvent,
} from '../../src/domain';
import { expectCode } from '../../src/testing';

const origin = parseOriginId('laptop-1a2b3c');
const stream = 'laptop-1a2b3c~notes' as GlobalId;
const hlc = (i: number): string => `00001795864800000000.00000${i}`;

/** A chain of n events by `origin`, each naming the one before it, as `meta` writes them. */
function chain(n: number): { bytes: Uint8Array; hash: ContentHash; event: MetaEvent }[] {
  const out: { bytes: Uint8Array; hash: ContentHash; event: MetaEvent }[] = [];
  for (let i = 1; i <= n; i++) {
    const before = out[out.length - 1];
    const prev = before ? { prev: metaStem(before.event.hlc, before.hash) } : {};
    out.push(encodeMetaEvent({ hlc: hlc(i), origin, target: { stream }, op: i % 2 ? 'star' : 'unstar', field: 'starred', value: i % 2 === 1, ...prev }));
  }
  return out;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => Buffer.from(b).toString();

describe('metadata packs (format v1)', () => {
  it('pins the bytes and hash of a pack, and its name (golden)', () => {
    const events = chain(2);
    const pack = encodeMetaPack(origin, events);
    expect(text(pack.bytes)).toBe(
      `{"count":2,"first":"${hlc(1)}-${events[0]!.hash}","kind":"metaPack","last":"${hlc(2)}-${events[1]!.hash}","origin":"laptop-1a2b3c","v":1}\n` +
        text(events[0]!.bytes) +
        text(events[1]!.bytes),
    );
    expect(pack.hash).toBe('cea8cb4f68a1efbd6eef265c66f52e5ff4afed15dda032ee0b48fdde389ea532');
    expect(sha256Hex(pack.bytes)).toBe(pack.hash);
    const key = artifactKey(origin, { kind: 'metaPack', hlc: pack.hlc, after: pack.after, hash: pack.hash });
    expect(key).toBe(`laptop-1a2b3c/meta/pack-${hlc(2)}-0-${pack.hash}.ndjson.zst`);
    expect(parseArtifactKey(key)).toEqual({ origin, ref: { kind: 'metaPack', hlc: hlc(2), after: '0', hash: pack.hash } });
    // Packs sort after every single event of their origin, so listing after "pack-" finds just them.
    expect(key > artifactKey(origin, { kind: 'meta', hlc: '99999999999999999999.999999', hash: pack.hash })).toBe(true);
  });

  it('names the event before its first, so names alone show whether packs leave a gap', () => {
    const events = chain(5);
    const second = encodeMetaPack(origin, events.slice(2));
    expect(second.after).toBe(hlc(2));
    expect(second.header.after).toBe(`${hlc(2)}-${events[1]!.hash}`);
    expect(decodeMetaPack(second.bytes, { origin, hlc: hlc(5), after: hlc(2), hash: second.hash }).header.after).toBe(second.header.after);
  });

  it('round-trips: every event keeps its own bytes and identity', () => {
    const events = chain(5);
    const pack = encodeMetaPack(origin, events);
    const decoded = decodeMetaPack(pack.bytes, { origin, hlc: pack.hlc, after: pack.after, hash: pack.hash });
    expect(decoded.header).toEqual({ origin, count: 5, first: `${hlc(1)}-${events[0]!.hash}`, last: `${hlc(5)}-${events[4]!.hash}` });
    expect(decoded.events.map((e) => [e.stem, e.hash, text(e.bytes), e.event])).toEqual(events.map((e) => [metaStem(e.event.hlc, e.hash), e.hash, text(e.bytes), e.event]));
  });

  it('refuses to build a pack whose events are not one chain of one origin', async () => {
    const [a, , c] = chain(3);
    await expectCode(() => encodeMetaPack(origin, [a!, c!]), 'META_INVALID');
    await expectCode(() => encodeMetaPack(parseOriginId('desk-000001'), [a!]), 'META_INVALID');
    await expectCode(() => encodeMetaPack(origin, []), 'META_INVALID');
  });

  it('refuses damaged or forged packs: they are quarantined, never applied', async () => {
    const events = chain(3);
    const pack = encodeMetaPack(origin, events);
    const name = { origin, hlc: pack.hlc, after: pack.after, hash: pack.hash };
    const lines = text(pack.bytes).split('\n').slice(0, -1);
    const forge = (ls: string[]): { bytes: Uint8Array; hash: ContentHash } => {
      const bytes = enc(ls.map((l) => `${l}\n`).join(''));
      return { bytes, hash: sha256Hex(bytes) };
    };
    const check = async (f: { bytes: Uint8Array; hash: ContentHash }, at: Partial<typeof name>, code: string): Promise<void> => {
      await expectCode(() => decodeMetaPack(f.bytes, { ...name, hash: f.hash, ...at }), code as never);
    };
    await expectCode(() => decodeMetaPack(pack.bytes, { ...name, hash: '0'.repeat(64) as ContentHash }), 'HASH_MISMATCH');
    await check(pack, { origin: parseOriginId('desk-000001') }, 'ARTIFACT_INVALID'); // not the folder's origin
    await check(pack, { hlc: hlc(2) }, 'ARTIFACT_INVALID'); // the name's HLC is not the last event's
    await check(pack, { after: hlc(1) }, 'ARTIFACT_INVALID'); // the name says it follows an event it does not
    await check(forge([lines[0]!, lines[1]!, lines[3]!]), {}, 'ARTIFACT_INVALID'); // a gap in the chain (and count)
    await check(forge([lines[0]!.replace('"count":3', '"count":2'), lines[1]!, lines[3]!]), {}, 'ARTIFACT_INVALID'); // a gap
    await check(forge([lines[0]!, lines[2]!, lines[1]!, lines[3]!]), {}, 'ARTIFACT_INVALID'); // out of order
    await check(forge([lines[0]!, lines[1]!, lines[2]!, lines[3]!.replace('"starred"', '"title"')]), {}, 'ARTIFACT_INVALID'); // a bad event
    await check(forge([lines[0]!.replace('"kind":"metaPack"', '"kind":"meta"'), ...lines.slice(1)]), {}, 'ARTIFACT_INVALID');
    await check(forge([lines[0]!, '{not json', ...lines.slice(1)]), {}, 'ARTIFACT_INVALID');
    await check(forge([lines[0]!.replace('"v":1', '"v":2'), ...lines.slice(1)]), {}, 'VERSION_UNSUPPORTED'); // kept for an upgrade
  });
});

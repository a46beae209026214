import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  artifactKey,
  buildManifest,
  checkpointRef,
  encodeCheckpoint,
  encodeManifest,
  nextCheckpoint,
  sha256Hex,
  type ContentHash,
  type OriginId,
  type StreamId,
} from '../../src/domain';
import type { Cairn } from '../../src/application/Cairn';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd/ZstdNapiCodec';
import { bodies, freshTarget, origin } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const TS = '2026-11-22T10:00:00.000Z';
const FORGER = 'other-0000aa' as OriginId;
const codec = new ZstdNapiCodec(3);
const HINT = ' (a number beyond the range of a double, such as 1e400, reads as ±Infinity)';

type Bucket = ReturnType<typeof freshTarget>['bucket'];

/** A segment, its manifest and checkpoint `seq` of FORGER's stream `notes`, written by hand into a target. */
async function publish(bucket: Bucket, lines: string[], seq: number, prev: { seq: number; hash: ContentHash } | null) {
  const header = `{"from":0,"kind":"segment","origin":"${FORGER}","stream":"notes","to":${lines.length},"v":1}\n`;
  const bytes = new TextEncoder().encode(`${header}${lines.join('\n')}\n`);
  const hash = sha256Hex(bytes);
  await bucket.putIfAbsent(`${FORGER}/segments/${hash}.ndjson.zst`, await codec.compress(bytes));
  const manifest = encodeManifest(buildManifest(FORGER, 'notes' as StreamId, { kind: 'log', createdAt: TS, attrs: {} }, [{ hash, from: 0, to: lines.length, bytes: bytes.length }]));
  await bucket.putIfAbsent(`${FORGER}/manifests/${manifest.hash}.json.zst`, await codec.compress(manifest.bytes));
  const cp = encodeCheckpoint(nextCheckpoint(FORGER, prev && { ...prev, publishedAt: TS, streams: new Map() }, new Map([['notes' as StreamId, manifest.hash]]), TS));
  await bucket.putIfAbsent(artifactKey(FORGER, checkpointRef(seq)), cp.bytes);
  return { segment: `${FORGER}/segments/${hash}.ndjson.zst`, bytes, hash, checkpoint: { seq, hash: sha256Hex(cp.bytes) } };
}

interface QuarantineEntry {
  source: string;
  key: string;
  code: string;
  reason: string;
}
const quarantined = (c: Cairn): Promise<QuarantineEntry[]> =>
  (c as unknown as { deps: { quarantine: { list(): Promise<QuarantineEntry[]> } } }).deps.quarantine.list();

// Entry lines whose body holds a number beyond double range: JSON.parse reads it as ±Infinity, which has no
// JSON form. The first case is read by the fast path (the canonical line shape), the second by the general one.
const CASES: [string, string[], RegExp][] = [
  ['1e400 in a line of the canonical shape', [`{"body":{"n":1},"ordinal":0,"ts":"${TS}"}`, `{"body":{"n":1e400},"ordinal":1,"ts":"${TS}"}`], /entry 1: body\.n: the number Infinity has no JSON form/],
  ['-1e400 in a line of another shape', [`{"body":{"n":1},"ordinal":0,"ts":"${TS}"}`, `{"ts":"${TS}","ordinal":1,"body":[2,-1e400]}`], /entry 1: body\[1\]: the number -Infinity has no JSON form/],
];

describe('a received segment whose entry body has no JSON form (a number beyond double range)', () => {
  it.each(CASES)('%s is quarantined by every sync and rebuild, never an error; other origins import; a newer checkpoint heals it', async (_label, lines, at) => {
    const { url, bucket } = freshTarget();
    const relay = freshTarget();
    const bad = await publish(bucket, lines, 1, null);
    const a = await origin('alpha', 1);
    await a.append('notes', bodies(3));
    await a.sync(url, { create: true });

    const homeB = tempHome('beta', 2);
    const b = await openCairn({ home: homeB, clock: steppingClock() });
    const first = await b.sync(url, { create: true });
    expect(first.failures).toEqual([]);
    expect(first).toMatchObject({ quarantined: 1, deferred: 1, imported: { entries: 3 } });
    expect(b.streams().map((s) => [s.origin, s.entries])).toEqual([[a.origin, 3]]);
    const log = await quarantined(b);
    expect(log).toEqual([expect.objectContaining({ source: 'local', key: bad.segment, code: 'ARTIFACT_INVALID' })]); // found by the import
    expect(log[0]!.reason).toContain(`segment ${bad.hash.slice(0, 12)} of ${FORGER}: entry 1: `);
    expect(log[0]!.reason).toMatch(at);
    expect(log[0]!.reason).toContain('Infinity');

    // Every later sync pulls the same bytes (no other copy can exist: the name is their hash) and quarantines them again.
    const again = await b.sync(url);
    expect(again.failures).toEqual([]);
    expect(again).toMatchObject({ quarantined: 1, deferred: 1 });
    // Never relayed: only what was applied goes onward.
    await b.sync(relay.url, { create: true });
    expect(await relay.bucket.list(`${FORGER}/`)).toEqual([]);

    // A store that already holds the segment (kept by an earlier version, or copied in) quarantines it on rebuild.
    const local = path.join(homeB, 'artifacts', bad.segment);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, await codec.compress(bad.bytes));
    const rebuilt = await b.rebuild();
    expect(rebuilt.failures).toEqual([]);
    expect(rebuilt).toMatchObject({ quarantined: 1, deferred: 1, entries: 3 });
    expect(fs.existsSync(local)).toBe(false);
    expect(b.streams().map((s) => [s.origin, s.entries])).toEqual([[a.origin, 3]]);

    // The writer publishes a checkpoint that no longer names the segment: that heals the origin's import.
    await publish(bucket, [lines[0]!, `{"body":{"n":2},"ordinal":1,"ts":"${TS}"}`], 2, bad.checkpoint);
    const healed = await b.sync(url);
    expect(healed.failures).toEqual([]);
    expect(healed).toMatchObject({ quarantined: 0, deferred: 0, imported: { entries: 2 } });
    expect(b.streams().map((s) => [s.origin, s.entries]).sort()).toEqual([[a.origin, 3], [FORGER, 2]].sort());
    expect(b.show(`${FORGER}~notes`).entries.map((e) => e.body)).toEqual([{ n: 1 }, { n: 2 }]);
    for (const x of [a, b]) x.close();
  });
});

describe('other received artifacts whose values have no JSON form', () => {
  it('a manifest whose stream attributes hold 1e400 is quarantined at pull; an older checkpoint is imported instead', async () => {
    const { url, bucket } = freshTarget();
    const good = await publish(bucket, [`{"body":{"n":1},"ordinal":0,"ts":"${TS}"}`], 1, null);
    // Checkpoint 2 names a manifest with the same segment, whose header attributes hold a number beyond double range.
    const bytes = new TextEncoder().encode(
      `{"entries":1,"header":{"attrs":{"big":1e400},"createdAt":"${TS}","kind":"log"},"kind":"manifest","origin":"${FORGER}",` +
        `"segments":[{"bytes":${good.bytes.length},"from":0,"hash":"${good.hash}","to":1}],"stream":"notes","v":1}\n`,
    );
    const manifest = sha256Hex(bytes);
    await bucket.putIfAbsent(`${FORGER}/manifests/${manifest}.json.zst`, await codec.compress(bytes));
    const cp = encodeCheckpoint(nextCheckpoint(FORGER, { ...good.checkpoint, publishedAt: TS, streams: new Map() }, new Map([['notes' as StreamId, manifest]]), TS));
    await bucket.putIfAbsent(artifactKey(FORGER, checkpointRef(2)), cp.bytes);

    const b = await origin('beta', 2);
    const r = await b.sync(url, { create: true });
    expect(r.failures).toEqual([]);
    expect(r.quarantined).toBe(1);
    const log = await quarantined(b);
    expect(log).toEqual([expect.objectContaining({ source: url, key: `${FORGER}/manifests/${manifest}.json.zst`, code: 'ARTIFACT_INVALID' })]);
    expect(log[0]!.reason).toBe(`manifest ${manifest.slice(0, 12)} of ${FORGER}: header.attrs.big: the number Infinity has no JSON form${HINT}`);
    expect(b.streams().map((s) => [s.id, s.entries])).toEqual([[`${FORGER}~notes`, 1]]); // checkpoint 1
    expect((await b.rebuild()).failures).toEqual([]);
    b.close();
  });

  it('a metadata event whose value holds -1e400 is quarantined at pull, and other events of its origin apply', async () => {
    const { url, bucket } = freshTarget();
    await publish(bucket, [`{"body":{"n":1},"ordinal":0,"ts":"${TS}"}`], 1, null);
    const hlc = (n: number) => `${(BigInt(Date.parse(TS)) * 1_000_000n).toString().padStart(20, '0')}.${String(n).padStart(6, '0')}`;
    const event = (n: number, value: string) =>
      new TextEncoder().encode(`{"field":"title","hlc":"${hlc(n)}","kind":"meta","op":"${value === '' ? 'rename' : 'frob'}","origin":"${FORGER}","target":{"stream":"${FORGER}~notes"},"v":1,"value":${value || '"renamed"'}}\n`);
    const bad = event(1, '{"x":[-1e400]}');
    const fine = event(2, '');
    const badKey = `${FORGER}/meta/${hlc(1)}-${sha256Hex(bad)}.json`;
    await bucket.putIfAbsent(badKey, bad);
    await bucket.putIfAbsent(`${FORGER}/meta/${hlc(2)}-${sha256Hex(fine)}.json`, fine);

    const b = await origin('beta', 2);
    const r = await b.sync(url, { create: true });
    expect(r.failures).toEqual([]);
    expect(r.quarantined).toBe(1);
    const log = await quarantined(b);
    expect(log).toEqual([expect.objectContaining({ source: url, key: badKey, code: 'ARTIFACT_INVALID' })]);
    expect(log[0]!.reason).toBe(`metadata event ${sha256Hex(bad).slice(0, 12)} of ${FORGER}: value.x[0]: the number -Infinity has no JSON form${HINT}`);
    expect(b.streams().map((s) => [s.id, s.title])).toEqual([[`${FORGER}~notes`, 'renamed']]);
    expect((await b.sync(url)).failures).toEqual([]);
    expect((await b.rebuild()).failures).toEqual([]);
    b.close();
  });
});

import * as path from 'node:path';
import { buildManifest, canonicalize, encodeCheckpoint, encodeManifest, nextCheckpoint, searchText, sha256Hex, artifactKey, checkpointRef, type OriginId, type StreamId } from '../../src/domain';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd/ZstdNapiCodec';
import { dumpReadModel } from '../helpers/readModelDump';
import { freshTarget } from '../helpers/syncFixtures';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const TS = '2026-11-22T10:00:00.000Z';

// Entry lines another implementation could write: valid, but not all canonical. Identity is the hash of these
// bytes; the read model holds each body's canonical encoding (ADR 0013).
const BODIES = [
  '{"a":"canonical","n":1}',
  '{"n":1,"a":"key order"}',
  ' {"a" : "whitespace"} ',
  '"\\u0065scaped \\/ letters"',
  '{"a":"first","a":"duplicate key"}',
  '[1.0,1E2,-0]',
  '"ünïcødé 😀"',
];
const LINES = [
  ...BODIES.map((b, i) => `{"body":${b},"ordinal":${i},"ts":"${TS}"}`),
  `{"ts":"${TS}","ordinal":${BODIES.length},"body":"members reordered","extra":[1]}`,
];

describe('entry bodies received in a spelling that is not canonical', () => {
  it('are stored canonical on every replica, equal to a rebuild, and relayed as received', async () => {
    const { url, bucket } = freshTarget();
    const forger = 'other-0000aa' as OriginId;
    const header = `{"from":0,"kind":"segment","origin":"${forger}","stream":"notes","to":${LINES.length},"v":1}\n`;
    const bytes = new TextEncoder().encode(`${header}${LINES.join('\n')}\n`);
    const hash = sha256Hex(bytes);
    const codec = new ZstdNapiCodec(3);
    await bucket.putIfAbsent(`${forger}/segments/${hash}.ndjson.zst`, await codec.compress(bytes));
    const manifest = encodeManifest(
      buildManifest(forger, 'notes' as StreamId, { kind: 'log', createdAt: TS, attrs: {} }, [{ hash, from: 0, to: LINES.length, bytes: bytes.length }]),
    );
    await bucket.putIfAbsent(`${forger}/manifests/${manifest.hash}.json.zst`, await codec.compress(manifest.bytes));
    const cp = encodeCheckpoint(nextCheckpoint(forger, null, new Map([['notes' as StreamId, manifest.hash]]), TS));
    await bucket.putIfAbsent(artifactKey(forger, checkpointRef(1)), cp.bytes);

    const homeB = tempHome('beta', 2);
    const b = await openCairn({ home: homeB, clock: steppingClock() });
    const r = await b.sync(url, { create: true });
    expect(r).toMatchObject({ quarantined: 0, deferred: 0, imported: { entries: LINES.length } });
    const relay = freshTarget();
    await b.sync(relay.url, { create: true });
    b.close();

    const values = LINES.map((l) => (JSON.parse(l) as { body: unknown }).body);
    const gid = `${forger}~notes`;
    const atB = dumpReadModel(path.join(homeB, 'cairn.db'), ['entries', 'entries_fts']);
    expect(atB.entries).toEqual(values.map((v, ordinal) => ({ gid, ordinal, ts: TS, body: canonicalize(v) })));
    expect(atB.entries_fts).toEqual(values.map((v, ordinal) => ({ gid, ordinal, text: searchText(v as never) })));
    expect((atB.entries as { body: string }[]).map((e) => e.body).slice(0, 4)).toEqual(['{"a":"canonical","n":1}', '{"a":"key order","n":1}', '{"a":"whitespace"}', '"escaped / letters"']);

    const rebuilt = path.join(tempDir(), 'rebuilt.db');
    const rb = await openCairn({ home: homeB, clock: steppingClock(), database: rebuilt, skipCatchUp: true });
    await rb.rebuild();
    rb.close();
    expect(dumpReadModel(rebuilt)).toEqual(dumpReadModel(path.join(homeB, 'cairn.db')));

    // Relayed byte for byte (never re-encoded), and read the same by the next replica.
    const relayed = await relay.bucket.get(`${forger}/segments/${hash}.ndjson.zst`);
    expect(relayed && Buffer.from(await codec.decompress(relayed, 1 << 20)).equals(Buffer.from(bytes))).toBe(true);
    const homeC = tempHome('gamma', 3);
    const c = await openCairn({ home: homeC, clock: steppingClock() });
    await c.sync(relay.url);
    c.close();
    expect(dumpReadModel(path.join(homeC, 'cairn.db'), ['entries', 'entries_fts'])).toEqual(atB);
  });
});

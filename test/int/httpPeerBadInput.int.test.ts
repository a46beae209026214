import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cairn } from '../../src/application/Cairn';
import { canonicalBytes, sha256Hex, utf8 } from '../../src/domain';
import { serveCairn, servePeer, type PeerServer } from '../../src/infrastructure/http';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd';
import { FileArtifactStore } from '../../src/plugins/file-store';
import { expectCode } from '../../src/testing';
import { rawRequest, snapshotDir, type RawReply } from '../helpers/httpPeer';
import { bodies, origin } from '../helpers/syncFixtures';
import { removeTempDirs } from '../helpers/tempHome';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const BETA = 'beta-bbbbbb';
const codec = new ZstdNapiCodec();

let srv: Cairn;
let alpha: Cairn;
let server: PeerServer;
/** alpha's artifacts, key → bytes as stored. */
const art = new Map<string, Uint8Array>();
const keyOf = (dir: string): string => [...art.keys()].find((k) => k.split('/')[1] === dir)!;
const nameOf = (key: string): string => key.split('/')[2]!;
const srvDir = (): string => path.join(srv.home, 'artifacts');
/** A key of one of the server's own artifacts. */
const ownKey = (): string => `${srv.origin}/${Object.keys(snapshotDir(path.join(srvDir(), srv.origin))).sort()[0]!.split(path.sep).join('/')}`;

const put = (key: string, body: Uint8Array, headers: Record<string, string> = AUTH): Promise<RawReply> =>
  rawRequest(server.url, 'PUT', `/v1/a/${key}`, { headers, body });
const send = (method: string, p: string, headers: Record<string, string> = AUTH): Promise<RawReply> => rawRequest(server.url, method, p, { headers });

beforeAll(async () => {
  srv = await origin('srv', 9);
  await srv.append('own', bodies(2, 'server'));
  server = await serveCairn(srv, { port: 0, token: TOKEN });
  alpha = await origin('alpha', 1);
  await alpha.append('notes', bodies(3, 'alpha'));
  const blob = await alpha.putBlob(utf8('a blob of alpha'));
  await alpha.append('notes', [{ text: 'with a file', file: blob }] as never);
  await alpha.meta({ op: 'rename', stream: 'notes', value: 'Alpha notes' });
  await alpha.export();
  const store = new FileArtifactStore(path.join(alpha.home, 'artifacts'));
  for (const dir of ['segments', 'manifests', 'checkpoints', 'meta', 'blobs']) {
    for (const key of await store.list(`${alpha.origin}/${dir}/`)) art.set(key, (await store.get(key))!);
  }
});

afterAll(async () => {
  await server.close();
  srv.close();
  alpha.close();
  removeTempDirs();
});

const v2Segment = async (named: string): Promise<{ canonical: Uint8Array; raw: Uint8Array }> => {
  const head = { from: 0, kind: 'segment', origin: named, stream: 'later', to: 1, v: 2 };
  const canonical = utf8(`${JSON.stringify(head)}\n${JSON.stringify({ body: 'x', ordinal: 0, ts: '2026-11-22T10:00:00.000Z' })}\n`);
  return { canonical, raw: await codec.compress(canonical) };
};
const v2Checkpoint = (named: string): Uint8Array =>
  canonicalBytes({ full: true, kind: 'checkpoint', origin: named, prev: null, publishedAt: '2026-11-22T10:00:00.000Z', seq: 1, streams: {}, v: 2, wormholes: [] });
const cp1 = `checkpoints/cp-${'1'.padStart(10, '0')}.json`;

/** [what, expected status, expected error code (null: no body), the request]. */
const BAD: [string, number, string | null, () => Promise<RawReply>][] = [
  ['path traversal with ../', 400, 'ARTIFACT_NAME_INVALID', () => put('../../config.json', utf8('x'))],
  ['path traversal, percent-encoded %2e%2e', 400, 'ARTIFACT_NAME_INVALID', () => put('%2e%2e/%2e%2e/config.json', utf8('x'))],
  ['path traversal, an encoded slash', 400, 'ARTIFACT_NAME_INVALID', () => put(`${alpha.origin}/segments/..%2f..%2fconfig.json`, utf8('x'))],
  ['an absolute path', 400, 'ARTIFACT_NAME_INVALID', () => put('/etc/passwd', utf8('x'))],
  ['backslashes', 400, 'ARTIFACT_NAME_INVALID', () => put('..\\..\\config.json/segments/x', utf8('x'))],
  ['traversal outside the API prefix', 404, 'INPUT_INVALID', () => send('GET', '/v1/../config.json')],
  ['a traversal read', 400, 'ARTIFACT_NAME_INVALID', () => send('GET', '/v1/a/../artifacts/config.json')],
  ['a traversal listing', 400, 'INPUT_INVALID', () => send('GET', '/v1/list?prefix=../')],
  ['a name that is no artifact', 400, 'ARTIFACT_NAME_INVALID', () => put(`${BETA}/segments/not-a-hash`, utf8('x'))],
  ['a query on an artifact URL', 400, 'INPUT_INVALID', () => send('GET', `/v1/a/${keyOf('segments')}?x=1`)],
  ['wrong origin: a segment', 422, 'ARTIFACT_INVALID', () => put(`${BETA}/segments/${nameOf(keyOf('segments'))}`, art.get(keyOf('segments'))!)],
  ['wrong origin: a manifest', 422, 'ARTIFACT_INVALID', () => put(`${BETA}/manifests/${nameOf(keyOf('manifests'))}`, art.get(keyOf('manifests'))!)],
  ['wrong origin: a checkpoint', 422, 'ARTIFACT_INVALID', () => put(`${BETA}/${cp1}`, art.get(keyOf('checkpoints'))!)],
  ['wrong origin: a metadata event', 422, 'ARTIFACT_INVALID', () => put(`${BETA}/meta/${nameOf(keyOf('meta'))}`, art.get(keyOf('meta'))!)],
  ['wrong hash: a segment', 422, 'HASH_MISMATCH', () => put(`${alpha.origin}/segments/${'0'.repeat(64)}.ndjson.zst`, art.get(keyOf('segments'))!)],
  ['wrong hash: a blob', 422, 'HASH_MISMATCH', () => put(`${alpha.origin}/blobs/${'1'.repeat(64)}`, art.get(keyOf('blobs'))!)],
  ['a checkpoint under another seq', 422, 'ARTIFACT_INVALID', () => put(`${alpha.origin}/checkpoints/cp-0000000002.json`, art.get(keyOf('checkpoints'))!)],
  ['oversize: a metadata event declared at 70,000 bytes', 413, 'TOO_LARGE', () =>
    rawRequest(server.url, 'PUT', `/v1/a/${alpha.origin}/meta/${nameOf(keyOf('meta'))}`, { headers: { ...AUTH, 'content-length': '70000' }, headersOnly: true })],
  ['oversize: a blob declared at 300 MB', 413, 'TOO_LARGE', () =>
    rawRequest(server.url, 'PUT', `/v1/a/${alpha.origin}/blobs/${'2'.repeat(64)}`, { headers: { ...AUTH, 'content-length': String(300 * 1024 * 1024) }, headersOnly: true })],
  ['oversize: a zstd bomb', 413, 'DECOMPRESSED_TOO_LARGE', async () => {
    const canonical = new Uint8Array(6 * 1024 * 1024);
    return put(`${alpha.origin}/segments/${sha256Hex(canonical)}.ndjson.zst`, await codec.compress(canonical));
  }],
  ['a chunked body (no Content-Length)', 411, 'INPUT_INVALID', () =>
    rawRequest(server.url, 'PUT', `/v1/a/${keyOf('blobs')}`, { headers: { ...AUTH, 'transfer-encoding': 'chunked' }, body: undefined })],
  ['future version naming another origin', 422, 'ARTIFACT_INVALID', async () => {
    const s = await v2Segment(alpha.origin);
    return put(`${BETA}/segments/${sha256Hex(s.canonical)}.ndjson.zst`, s.raw);
  }],
  ['future version checkpoint of another origin', 422, 'ARTIFACT_INVALID', () => put(`gamma-cccccc/${cp1}`, v2Checkpoint(BETA))],
  ['future version with a wrong hash', 422, 'HASH_MISMATCH', async () => put(`${BETA}/segments/${'3'.repeat(64)}.ndjson.zst`, (await v2Segment(BETA)).raw)],
  ['garbage JSON: a checkpoint', 422, 'ARTIFACT_INVALID', () => put(`${BETA}/${cp1}`, utf8('{"kind": checkpoint\n'))],
  ['garbage JSON: a metadata event', 422, 'ARTIFACT_INVALID', () => {
    const bytes = utf8('{not json}\n');
    return put(`${BETA}/meta/0000000001.0-${sha256Hex(bytes)}.json`, bytes);
  }],
  ['garbage: a manifest that is not zstd', 422, 'CODEC_FAILED', () => put(`${BETA}/manifests/${'4'.repeat(64)}.json.zst`, utf8('{"not":"zstd"}\n'))],
  ['garbage JSON: a segment', 422, 'ARTIFACT_INVALID', async () => {
    const canonical = utf8('{"kind":"segment",,}\n');
    return put(`${BETA}/segments/${sha256Hex(canonical)}.ndjson.zst`, await codec.compress(canonical));
  }],
  ['missing token', 401, null, () => put(keyOf('blobs'), art.get(keyOf('blobs'))!, {})],
  ['wrong token of the same length', 401, null, () => put(keyOf('blobs'), art.get(keyOf('blobs'))!, { authorization: `Bearer ${TOKEN.replace(/.$/, 'x')}` })],
  ['wrong token of another length', 401, null, () => put(keyOf('blobs'), art.get(keyOf('blobs'))!, { authorization: 'Bearer short' })],
  ['basic auth instead of a bearer token', 401, null, () => put(keyOf('blobs'), art.get(keyOf('blobs'))!, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })],
  ['a read without a token', 401, null, () => send('GET', '/v1/origins', {})],
  ['a put under the server’s own origin', 403, 'FORBIDDEN', () => put(`${srv.origin}/checkpoints/cp-0000000099.json`, utf8('{}\n'))],
  ['another origin’s bytes under the server’s own origin', 403, 'FORBIDDEN', () => put(`${srv.origin}/segments/${nameOf(keyOf('segments'))}`, art.get(keyOf('segments'))!)],
  ['a delete under the server’s own origin', 403, 'FORBIDDEN', () => send('DELETE', `/v1/a/${ownKey()}`)],
  ['a method the endpoint does not take', 405, 'INPUT_INVALID', () => send('POST', `/v1/a/${keyOf('blobs')}`)],
  ['a listing limit of 0', 400, 'INPUT_INVALID', () => send('GET', `/v1/list?prefix=${alpha.origin}/segments/&limit=0`)],
];

describe('the HTTP peer refuses each bad input with the right status and changes nothing on disk', () => {
  it.each(BAD)('%s → %i', async (_what, status, code, request) => {
    const before = snapshotDir(srvDir());
    const reply = await request();
    expect(reply.status).toBe(status);
    if (code === null) {
      expect(reply.body.length).toBe(0); // 401: no detail
      expect(reply.headers['www-authenticate']).toBe('Bearer');
    } else {
      expect(JSON.parse(reply.body.toString('utf8')).error.code).toBe(code);
    }
    expect(snapshotDir(srvDir())).toEqual(before);
  });

  it('imports nothing from what it refused', async () => {
    const reply = await send('POST', '/v1/import');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString('utf8'))).toMatchObject({ streams: 0, entries: 0, failures: [] });
    expect(srv.streams().map((s) => s.origin)).toEqual([srv.origin]);
  });
});

describe('what the HTTP peer accepts', () => {
  it('stores a future-version artifact whose hash and origin check out, relays it, and does not import it', async () => {
    const seg = await v2Segment(BETA);
    const segKey = `${BETA}/segments/${sha256Hex(seg.canonical)}.ndjson.zst`;
    expect((await put(segKey, seg.raw)).status).toBe(201);
    expect((await put(`${BETA}/${cp1}`, v2Checkpoint(BETA))).status).toBe(201);
    expect(fs.existsSync(path.join(srvDir(), BETA, 'checkpoints', 'cp-0000000001.json'))).toBe(true);
    expect((await send('POST', '/v1/import')).status).toBe(200);
    expect(srv.streams().some((s) => s.origin === BETA)).toBe(false);
    expect(Buffer.compare((await send('GET', `/v1/a/${segKey}`)).body, Buffer.from(seg.raw))).toBe(0);
  });

  it('takes a real sync, imports it, and answers identical for the same content in another encoding', async () => {
    const result = await alpha.sync(server.url, { token: TOKEN });
    expect(result).toMatchObject({ failures: [], quarantined: 0 });
    expect(result.pushed).toBe(art.size);
    expect(srv.streams().map((s) => s.id).sort()).toEqual([`${alpha.origin}~notes`, `${srv.origin}~own`]);
    expect(srv.conflicts()).toEqual([]);
    const key = keyOf('manifests');
    const canonical = await codec.decompress(art.get(key)!, 1 << 24);
    const before = snapshotDir(srvDir());
    const reply = await put(key, await new ZstdNapiCodec(19).compress(canonical));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString('utf8'))).toEqual({ outcome: 'identical' });
    // The server's own artifact, byte for byte (a peer relaying it back): identical, nothing written.
    expect((await put(ownKey(), fs.readFileSync(path.join(srvDir(), ...ownKey().split('/'))))).status).toBe(200);
    expect(snapshotDir(srvDir())).toEqual(before);
  });

  it('deletes only a damaged copy (409 for a valid one), then takes the good bytes again', async () => {
    const key = keyOf('segments');
    expect((await send('DELETE', `/v1/a/${key}`)).status).toBe(409);
    expect((await send('DELETE', `/v1/a/${alpha.origin}/blobs/${'5'.repeat(64)}`)).status).toBe(404);
    const file = path.join(srvDir(), ...key.split('/'));
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, Buffer.from(art.get(key)!).subarray(0, 20)); // bit rot on the server's disk
    expect((await send('DELETE', `/v1/a/${key}`)).status).toBe(200);
    expect(fs.existsSync(file)).toBe(false);
    expect((await put(key, art.get(key)!)).status).toBe(201);
  });

  it('refuses a fork: another store publishing under the same origin id', async () => {
    const twin = await origin('alpha', 1); // same name and seed: the same origin id, other content
    expect(twin.origin).toBe(alpha.origin);
    await twin.append('notes', bodies(1, 'twin'));
    await twin.export();
    await twin.append('notes', bodies(1, 'twin again'));
    await twin.export();
    const store = new FileArtifactStore(path.join(twin.home, 'artifacts'));
    const before = snapshotDir(srvDir());
    for (const seq of [1, 2]) {
      const key = `${twin.origin}/checkpoints/cp-${String(seq).padStart(10, '0')}.json`;
      expect((await put(key, (await store.get(key))!)).status).toBe(409);
    }
    expect(snapshotDir(srvDir())).toEqual(before);
    twin.close();
  });
});

describe('serving needs a token off loopback, and without one checks the Host header', () => {
  it('refuses to bind a non-loopback address without a token, and a short token anywhere', async () => {
    await expectCode(servePeer(srv.peerHost(), { host: '0.0.0.0', port: 0 }), 'INPUT_INVALID');
    await expectCode(servePeer(srv.peerHost(), { port: 0, token: 'short' }), 'INPUT_INVALID');
  });

  it('says which address is taken when the port is in use', async () => {
    const port = Number(new URL(server.url).port);
    const err = await servePeer(srv.peerHost(), { port }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IO_FAILED', message: expect.stringContaining(`127.0.0.1:${port}`) });
  });

  it('answers 403 to a Host that is not loopback when no token guards it (DNS rebinding)', async () => {
    const open = await servePeer(srv.peerHost(), { port: 0 });
    try {
      expect((await rawRequest(open.url, 'GET', '/v1/origins', { headers: { host: 'evil.example:80' } })).status).toBe(403);
      expect((await rawRequest(open.url, 'GET', '/v1/origins')).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

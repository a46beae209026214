import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RawPeerHost } from '../../src/application/peer/PeerHost';
import { servePeer, type PeerServer } from '../../src/infrastructure/http';
import { FileArtifactStore, FolderTransport } from '../../src/plugins/file-store';
import { HttpTransport, parsePeerUrl } from '../../src/plugins/http-transport';
import { MemoryTransport } from '../../src/plugins/memory-store';
import { transportContract } from '../../src/testing';
import { closeS3Transports, describeS3, freshS3Url, openS3 } from '../helpers/s3Env';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(closeS3Transports);
const servers: PeerServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  removeTempDirs();
});

let n = 0;
transportContract('memory', () => new MemoryTransport(`memory://contract-${n++}`));
transportContract('folder', () => {
  const dir = tempDir('cairn-folder-');
  return new FolderTransport(pathToFileURL(dir).href, dir);
});
// The HTTP protocol itself (client, node:http server, a file store behind it), with the raw policy: the
// contract writes arbitrary bytes under arbitrary safe keys, which `cairn serve`'s verifying policy refuses
// by design (test/int/httpPeerBadInput.int.test.ts proves that); see docs/adr/0008-http-peer.md.
transportContract('http', async () => {
  const server = await servePeer(new RawPeerHost(new FileArtifactStore(tempDir('cairn-http-'))), { port: 0 });
  servers.push(server);
  return new HttpTransport(parsePeerUrl(server.url), { retry: { retries: 0 } });
});

describeS3('s3 transport against a real S3 server', () => {
  transportContract('s3 (radosgw)', () => openS3(freshS3Url('contract')));

  it('gives exactly one "created" to 8 clients racing to publish one key with two different bodies', async () => {
    const url = freshS3Url('race');
    const clients = await Promise.all(Array.from({ length: 8 }, () => openS3(url)));
    const body = (i: number): Buffer => Buffer.alloc(256 * 1024, i % 2 === 0 ? 'a' : 'b');
    const outcomes = await Promise.all(clients.map((t, i) => t.putIfAbsent('o-aaaaaa/segments/race', body(i))));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    const winner = Buffer.from((await clients[0]!.get('o-aaaaaa/segments/race'))!);
    expect(winner.length).toBe(256 * 1024);
    expect(new Set(winner).size).toBe(1);
    const winnerParity = winner[0] === 'a'.charCodeAt(0) ? 0 : 1;
    outcomes.forEach((o, i) => {
      if (o !== 'created') expect(o).toBe(i % 2 === winnerParity ? 'identical' : 'conflict');
    });
    expect(await clients[0]!.list('o-aaaaaa/segments/')).toEqual(['o-aaaaaa/segments/race']);
  });
});

describe('folder transport under concurrent writers (separate processes)', () => {
  it('gives exactly one "created" to 8 processes racing to publish one name, and never shows a partial file', async () => {
    const dir = tempDir('cairn-race-');
    const script = `
      const { FolderTransport } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'plugins', 'file-store'))});
      const t = new FolderTransport('file://x', ${JSON.stringify(dir)});
      const bytes = Buffer.alloc(512 * 1024, Number(process.argv[1]) % 2 === 0 ? 'a' : 'b');
      t.putIfAbsent('o-aaaaaa/segments/race', bytes).then((o) => process.stdout.write(o));
    `;
    const run = (i: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script, String(i)]);
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child ${i} exited ${code}`))));
      });
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => run(i)));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    const winner = fs.readFileSync(path.join(dir, 'o-aaaaaa/segments/race'));
    expect(winner.length).toBe(512 * 1024);
    expect(new Set(winner).size).toBe(1);
    const winnerParity = winner[0] === 'a'.charCodeAt(0) ? 0 : 1;
    outcomes.forEach((o, i) => {
      if (o !== 'created') expect(o).toBe(i % 2 === winnerParity ? 'identical' : 'conflict');
    });
    expect(fs.readdirSync(path.join(dir, 'o-aaaaaa/segments'))).toEqual(['race']);
  });
});

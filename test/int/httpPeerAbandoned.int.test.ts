import * as http from 'node:http';
import { RawPeerHost } from '../../src/application/peer/PeerHost';
import { servePeer, type PeerServer } from '../../src/infrastructure/http';
import { MemoryArtifactStore } from '../../src/plugins/memory-store';
import { rawRequest } from '../helpers/httpPeer';

/**
 * A client that goes away while its request waits for a slot or for memory budget must give back what it
 * would have held: otherwise each such client leaks a slot (or budget) for ever and the server wedges.
 */
const KEY = (n: number): string => `alpha-aaaaaa/blobs/${String(n).padStart(64, '0')}`;

/** A request whose headers are sent and whose body is still to come; `finish` sends it. */
function openPut(url: string, key: string, length: number): { finish: () => Promise<number>; abandon: () => void; sent: Promise<void> } {
  const u = new URL(url);
  const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: `/v1/a/${key}`, headers: { 'content-length': String(length) }, agent: false });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  status.catch(() => undefined);
  const sent = new Promise<void>((resolve) => req.on('socket', (s) => s.on('connect', () => resolve())));
  req.flushHeaders();
  return { finish: () => (req.end(Buffer.alloc(length, 1)), status), abandon: () => req.destroy(), sent };
}

/** Give the server time to read the headers of what was sent (a sync point, not an assertion). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

let server: PeerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

test('a client that leaves while waiting for a slot does not keep it', async () => {
  server = await servePeer(new RawPeerHost(new MemoryArtifactStore()), { port: 0, maxConcurrent: 1 });
  const holder = openPut(server.url, KEY(1), 10);
  await holder.sent;
  await settle();
  const waiter = openPut(server.url, KEY(2), 10);
  await waiter.sent;
  await settle();
  waiter.abandon();
  await settle();
  expect(await holder.finish()).toBe(201);
  const after = await rawRequest(server.url, 'GET', '/v1/origins');
  expect(after.status).toBe(200);
});

test('a client that leaves while waiting for memory budget does not keep it', async () => {
  server = await servePeer(new RawPeerHost(new MemoryArtifactStore()), { port: 0, memoryBudget: 100 });
  const holder = openPut(server.url, KEY(1), 100);
  await holder.sent;
  await settle();
  const waiter = openPut(server.url, KEY(2), 50);
  await waiter.sent;
  await settle();
  waiter.abandon();
  await settle();
  expect(await holder.finish()).toBe(201);
  const again = await rawRequest(server.url, 'PUT', `/v1/a/${KEY(3)}`, { body: Buffer.alloc(100, 2) });
  expect(again.status).toBe(201);
});

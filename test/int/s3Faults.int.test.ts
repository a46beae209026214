import type { Transport } from '../../src/application/ports';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { createS3Client, parseS3Url, PROBE_FOLDER, resolveS3Settings, S3Transport, s3TransportFactory } from '../../src/plugins/s3-transport';
import { expectCode } from '../../src/testing';
import { startFakeS3, type FakeS3, type FakeS3Options } from '../helpers/fakeS3Server';
import { removeTempDirs, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

// Store behaviours a correct server will not show on demand, against a small S3-speaking HTTP server.
const servers: FakeS3[] = [];
const transports: Transport[] = [];
afterEach(async () => {
  while (transports.length > 0) await transports.pop()!.close();
  while (servers.length > 0) await servers.pop()!.close();
});

async function fake(options: FakeS3Options): Promise<FakeS3> {
  const server = await startFakeS3(options);
  servers.push(server);
  return server;
}

async function open(server: FakeS3, url = 's3://fake/p'): Promise<Transport> {
  const factory = s3TransportFactory({ endpoint: server.endpoint, pathStyle: true, accessKeyId: 'k', secretAccessKey: 's' }, {});
  const t = await factory.create(url, {});
  transports.push(t);
  return t;
}

const puts = (server: FakeS3): string[] => server.requests.filter((r) => r.startsWith('PUT '));

describe('S3 transport: conditional writes are checked, never assumed', () => {
  it('refuses a store that ignores If-None-Match, writes nothing of ours, removes its probe, and remembers the verdict', async () => {
    const server = await fake({ honourIfNoneMatch: false });
    const t = await open(server);
    await expectCode(t.putIfAbsent('o-aaaaaa/segments/x', Buffer.from('x')), 'S3_CONDITIONAL_WRITES_UNSUPPORTED');
    expect([...server.objects.keys()]).toEqual([]); // the probe key was deleted, the artifact never sent
    expect(puts(server)).toHaveLength(2);
    expect(puts(server).every((r) => r.startsWith(`PUT /fake/p/${PROBE_FOLDER}/`))).toBe(true);
    const again = await open(server, 's3://fake/other');
    await expectCode(again.putIfAbsent('o-aaaaaa/segments/x', Buffer.from('x')), 'S3_CONDITIONAL_WRITES_UNSUPPORTED');
    expect(puts(server)).toHaveLength(2); // cached per endpoint and bucket: no second probe
    expect(await t.get('o-aaaaaa/segments/x')).toBeNull(); // reads do not depend on conditional writes
  });

  it('accepts a store that honours If-None-Match after one probe per endpoint and bucket', async () => {
    const server = await fake({ honourIfNoneMatch: true });
    const a = await open(server);
    expect(await a.putIfAbsent('o-aaaaaa/segments/x', Buffer.from('x'))).toBe('created');
    const b = await open(server);
    expect(await b.putIfAbsent('o-aaaaaa/segments/x', Buffer.from('x'))).toBe('identical');
    expect(await b.putIfAbsent('o-aaaaaa/segments/x', Buffer.from('y'))).toBe('conflict');
    expect(puts(server).filter((r) => r.includes(PROBE_FOLDER))).toHaveLength(2);
    expect([...server.objects.keys()]).toEqual(['fake/p/o-aaaaaa/segments/x']);
  });

  it('answers "identical" when a retried put meets its own earlier write (the first response was lost)', async () => {
    const server = await fake({ honourIfNoneMatch: true, loseFirstResponseFor: 'p/o-aaaaaa/segments/lost' });
    const t = await open(server);
    expect(await t.putIfAbsent('o-aaaaaa/segments/lost', Buffer.from('ours'))).toBe('identical');
    expect(puts(server).filter((r) => r.endsWith('/segments/lost'))).toHaveLength(2);
    expect(server.objects.get('fake/p/o-aaaaaa/segments/lost')?.toString()).toBe('ours');
  });
});

describe('S3 transport: listings are checked, never trusted', () => {
  it('fails clearly on a continuation-token cycle instead of looping', async () => {
    const pages: Record<string, { keys: string[]; next?: string }> = {
      '': { keys: ['p/o-aaaaaa/meta/a'], next: 'A' },
      A: { keys: ['p/o-aaaaaa/meta/b'], next: 'B' },
      B: { keys: ['p/o-aaaaaa/meta/c'], next: 'A' },
    };
    const server = await fake({ honourIfNoneMatch: true, listPage: (token) => pages[token ?? '']! });
    const t = await open(server);
    await expect(t.list('o-aaaaaa/meta/')).rejects.toThrow(/cycle/);
  });

  it('fails clearly when keys do not strictly increase across pages', async () => {
    const pages: Record<string, { keys: string[]; next?: string }> = {
      '': { keys: ['p/o-aaaaaa/meta/a', 'p/o-aaaaaa/meta/c'], next: 'A' },
      A: { keys: ['p/o-aaaaaa/meta/b'] },
    };
    const server = await fake({ honourIfNoneMatch: true, listPage: (token) => pages[token ?? '']! });
    const t = await open(server);
    await expectCode(t.list('o-aaaaaa/meta/'), 'IO_FAILED');
  });

  it('pages through a correct listing and hides dot names', async () => {
    const pages: Record<string, { keys: string[]; next?: string }> = {
      '': { keys: ['p/o-aaaaaa/meta/.tmp', 'p/o-aaaaaa/meta/a'], next: 'A' },
      A: { keys: ['p/o-aaaaaa/meta/b'] },
    };
    const server = await fake({ honourIfNoneMatch: true, listPage: (token) => pages[token ?? '']! });
    const t = await open(server);
    expect(await t.list('o-aaaaaa/meta/')).toEqual(['o-aaaaaa/meta/a', 'o-aaaaaa/meta/b']);
  });
});

describe('S3 transport: opening a target', () => {
  it('refuses a missing bucket unless asked to create it', async () => {
    const server = await fake({ honourIfNoneMatch: true });
    const factory = s3TransportFactory({ endpoint: server.endpoint, pathStyle: true, accessKeyId: 'k', secretAccessKey: 's' }, {});
    await expect(factory.create('s3://missing/p', {})).rejects.toThrow(/does not exist.*--init/);
    const t = await factory.create('s3://missing/p', { create: true });
    transports.push(t);
    expect(server.buckets.has('missing')).toBe(true);
  });
});

describe('S3 transport: plugin options', () => {
  it('configures the transport a Cairn uses when named in `use`, over the environment', async () => {
    const server = await fake({ honourIfNoneMatch: false });
    const cairn = await openCairn({
      home: tempHome('alpha', 1),
      use: [{ name: 's3-transport', options: { endpoint: server.endpoint, pathStyle: true, accessKeyId: 'k', secretAccessKey: 's' } }],
    });
    try {
      await cairn.append('notes', [{ text: 'x' }]);
      // Pulling does not depend on conditional writes; pushing this origin does, and is refused.
      const result = await cairn.sync('s3://fake/opts');
      expect(result.failures).toEqual([{ origin: cairn.origin, code: 'S3_CONDITIONAL_WRITES_UNSUPPORTED', message: expect.stringContaining(server.endpoint) }]);
      expect(result.pushed).toBe(0);
      expect([...server.objects.keys()]).toEqual([]);
      expect(server.requests).toContain('HEAD /fake/'); // the endpoint of the options, not of the environment
    } finally {
      cairn.close();
    }
  });
});

describe('S3 transport: a body sent without a length is still capped', () => {
  const direct = (server: FakeS3, maxObjectBytes?: number): Transport => {
    const settings = resolveS3Settings({ endpoint: server.endpoint, pathStyle: true, accessKeyId: 'k', secretAccessKey: 's' }, {});
    const t = new S3Transport(createS3Client(settings), parseS3Url('s3://fake/p'), server.endpoint, maxObjectBytes);
    transports.push(t);
    return t;
  };

  it('stops reading past the cap and says so (a hostile or broken store streaming without Content-Length)', async () => {
    const server = await fake({ honourIfNoneMatch: true, unsizedGet: (id) => (id === 'fake/p/o-aaaaaa/segments/big' ? 64 * 2 ** 20 : undefined) });
    const t = direct(server, 2 ** 20);
    await expectCode(t.get('o-aaaaaa/segments/big'), 'DECOMPRESSED_TOO_LARGE');
    expect(server.unsizedSent.get('fake/p/o-aaaaaa/segments/big')).toBeLessThan(64 * 2 ** 20); // it hung up early
  });

  it('reads a body sent without a length whole when it is under the cap', async () => {
    const server = await fake({ honourIfNoneMatch: true, unsizedGet: (id) => (id === 'fake/p/o-aaaaaa/segments/small' ? 300_000 : undefined) });
    const t = direct(server);
    const got = await t.get('o-aaaaaa/segments/small');
    expect(got).toHaveLength(300_000);
    expect(Buffer.from(got!).every((b) => b === 0x61)).toBe(true);
  });
});

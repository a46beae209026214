import * as path from 'node:path';
import type { Cairn } from '../../src/application/Cairn';
import { serveCairn, type PeerServer } from '../../src';
import { dumpReadModel } from '../helpers/readModelDump';
import { closeS3Transports, describeS3, freshS3Url } from '../helpers/s3Env';
import { bodies, origin } from '../helpers/syncFixtures';
import { removeTempDirs, tempDir } from '../helpers/tempHome';

afterAll(removeTempDirs);
afterAll(closeS3Transports);

const TOKEN = 'mixed-e2e-token-0123456789';
const TABLES = ['streams', 'entries', 'registers', 'conflicts', 'meta_events', 'purged'];

/**
 * Three homes, three kinds of transport: A syncs with a shared folder and serves HTTP; B syncs with A over
 * HTTP and with an S3 bucket (real radosgw); C syncs with the S3 bucket and the shared folder. Every kind
 * carries content and metadata; concurrent edits of the same fields end in the same winners and the same
 * conflict log everywhere.
 */
describeS3('three homes through a folder, an HTTP peer and S3 (real radosgw)', () => {
  let server: PeerServer | undefined;
  afterAll(async () => {
    await server?.close();
  });

  it('converge, with identical registers and conflict logs', async () => {
    const folder = tempDir('cairn-mixed-folder-');
    const bucket = freshS3Url('mixed');
    const [a, b, c] = [await origin('alpha', 1), await origin('beta', 2), await origin('gamma', 3)];
    server = await serveCairn(a, { token: TOKEN });
    const peer = server.url;
    const round = async (): Promise<void> => {
      await a.sync(folder, { create: true });
      await b.sync(peer, { token: TOKEN });
      await b.sync(bucket, { create: true });
      await c.sync(bucket, { create: true });
      await c.sync(folder, { create: true });
    };

    await a.append('notes', bodies(40, 'alpha'));
    await b.append('journal', bodies(25, 'beta'));
    await c.append('log', bodies(15, 'gamma'));
    await round();
    await round();
    const gid = `${a.origin}~notes`;
    for (const x of [a, b, c]) expect(x.streams().map((s) => s.entries).sort((p, q) => p - q)).toEqual([15, 25, 40]);

    // Concurrent edits of the same registers, each origin unaware of the others.
    await a.meta({ op: 'rename', stream: 'notes', value: 'alpha title' });
    await b.meta({ op: 'rename', stream: gid, value: 'beta title' });
    await c.meta({ op: 'rename', stream: gid, value: 'gamma title' });
    await b.meta({ op: 'star', stream: gid });
    await c.meta({ op: 'pin', stream: gid, ordinal: 3 });
    await a.meta({ op: 'trash', stream: `${c.origin}~log` });
    await c.meta({ op: 'rename', stream: 'log', value: 'the log' });
    await round();
    await round();

    const view = (x: Cairn): unknown =>
      x.streams({ includeTrashed: true }).map((s) => ({ id: s.id, title: s.title, starred: s.starred, trashed: s.trashed, entries: s.entries }));
    expect(view(b)).toEqual(view(a));
    expect(view(c)).toEqual(view(a));
    expect(a.conflicts()).toHaveLength(2); // two losing titles for notes
    expect(b.conflicts()).toEqual(a.conflicts());
    expect(c.conflicts()).toEqual(a.conflicts());
    expect(a.show(gid, { limit: 5 }).entries.map((e) => e.pinned)).toEqual([false, false, false, true, false]);
    expect(c.search('beta')).toHaveLength(25);

    // A further round moves nothing anywhere.
    const quiet = [await a.sync(folder), await b.sync(peer, { token: TOKEN }), await b.sync(bucket), await c.sync(bucket), await c.sync(folder)];
    for (const r of quiet) expect(r).toMatchObject({ pushed: 0, pulled: 0, imported: { streams: 0, entries: 0, events: 0 }, failures: [] });

    await server.close();
    server = undefined;
    for (const x of [a, b, c]) x.close();
    const dumps = [a, b, c].map((x) => dumpReadModel(path.join(x.home, 'cairn.db'), TABLES));
    expect(dumps[1]).toEqual(dumps[0]);
    expect(dumps[2]).toEqual(dumps[0]);
  });
});

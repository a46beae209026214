import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Cairn } from '../../src/application/Cairn';
import { expectCode } from '../../src/testing';
import { dumpReadModel } from '../helpers/readModelDump';
import { closeS3Transports, describeS3, freshS3Url, openS3 } from '../helpers/s3Env';
import { bodies, origin } from '../helpers/syncFixtures';
import { removeTempDirs } from '../helpers/tempHome';

afterAll(removeTempDirs);
afterAll(closeS3Transports);

const view = (c: Cairn): unknown => c.streams().map((s) => [s.id, s.title, s.entries, s.starred]).sort();

describeS3('sync through an S3 target (real radosgw)', () => {
  it('three homes converge, their metadata conflicts resolve identically, and a repeat sync moves nothing', async () => {
    const url = freshS3Url('sync');
    const [a, b, c] = [await origin('alpha', 1), await origin('beta', 2), await origin('gamma', 3)];
    await a.append('notes', bodies(30, 'alpha'));
    await b.append('notes', bodies(20, 'beta'));
    await c.append('log', bodies(10, 'gamma'));
    await a.sync(url, { create: true });
    for (const x of [b, c, a, b]) await x.sync(url);
    // Concurrent edits of one field from three origins, none seeing the others.
    await a.meta({ op: 'rename', stream: 'notes', value: 'alpha says' });
    await b.meta({ op: 'rename', stream: `${a.origin}~notes`, value: 'beta says' });
    await c.meta({ op: 'rename', stream: `${a.origin}~notes`, value: 'gamma says' });
    await c.meta({ op: 'star', stream: `${b.origin}~notes` });
    for (const x of [a, b, c, a, b]) await x.sync(url);
    expect(view(a)).toEqual(view(b));
    expect(view(b)).toEqual(view(c));
    expect(a.streams().map((s) => s.entries).sort((x, y) => x - y)).toEqual([10, 20, 30]);
    expect(c.search('alpha')).toHaveLength(30);
    expect(a.conflicts()).toHaveLength(2);
    expect(b.conflicts()).toEqual(a.conflicts());
    expect(c.conflicts()).toEqual(a.conflicts());
    const again = await c.sync(url);
    expect(again).toMatchObject({ pushed: 0, pulled: 0, imported: { streams: 0, entries: 0, events: 0 } });
    const tables = ['streams', 'registers', 'conflicts', 'meta_events'];
    const dumps = [a, b, c].map((x) => dumpReadModel(path.join(x.home, 'cairn.db'), tables));
    expect(dumps[1]).toEqual(dumps[0]);
    expect(dumps[2]).toEqual(dumps[0]);
    const target = await openS3(url, false);
    expect(await target.origins()).toEqual([a.origin, b.origin, c.origin].sort()); // no probe folder, nothing else
    for (const x of [a, b, c]) x.close();
  });

  it('defers a missing segment and imports it once it is back in the bucket', async () => {
    const url = freshS3Url('defer');
    const a = await origin('alpha', 1);
    const b = await origin('beta', 2);
    await a.append('notes', bodies(5));
    await a.sync(url, { create: true });
    const target = await openS3(url, false);
    const [segKey] = await target.list(`${a.origin}/segments/`);
    const held = (await target.get(segKey!))!;
    expect(await target.delete(segKey!)).toBe(true);
    expect((await b.sync(url)).deferred).toBeGreaterThan(0);
    expect(b.streams()).toEqual([]);
    expect(await target.putIfAbsent(segKey!, held)).toBe('created');
    expect((await b.sync(url)).imported.entries).toBe(5);
    a.close();
    b.close();
  });

  it('refuses a bucket that does not exist unless --init creates it', async () => {
    const url = `s3://cairn-missing-${randomUUID().slice(0, 8)}/p`;
    const a = await origin('alpha', 1);
    await a.append('notes', bodies(2));
    await expectCode(a.sync(url), 'INPUT_INVALID');
    expect((await a.sync(url, { create: true })).pushed).toBeGreaterThan(0);
    const b = await origin('beta', 2);
    expect((await b.sync(url)).imported.entries).toBe(2);
    a.close();
    b.close();
  });
});

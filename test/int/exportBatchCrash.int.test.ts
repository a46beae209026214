import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cairn } from '../../src/application/Cairn';
import type { DomainEvent } from '../../src/domain';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { dumpReadModel } from '../helpers/readModelDump';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const STREAMS = ['s1', 's2', 's3', 's4', 's5'];
const body = (s: string, n: number): unknown => ({ s, n, text: `entry ${n} of ${s} granite` });

async function origin(home: string): Promise<Cairn> {
  const a = await openCairn({ home, clock: steppingClock(), exportBatchEntries: 5 });
  for (const [i, s] of STREAMS.entries()) await a.append(s, Array.from({ length: 3 + i }, (_, n) => body(s, n)) as never);
  return a;
}

async function rebuilt(home: string): Promise<Record<string, unknown[]>> {
  const file = path.join(tempDir(), 'rebuilt.db');
  const r = await openCairn({ home, clock: steppingClock(), database: file, skipCatchUp: true });
  await r.rebuild();
  r.close();
  return dumpReadModel(file);
}

/** Where an export of 5 streams in batches of 5 entries stops: after the n-th event, or the n-th stream sealed. */
type Stop = { event: number } | { stream: number };

describe('an export stopped between (or inside) two of its batches, then run again', () => {
  // One uninterrupted export seals s1+s2, s3, s4, s5 under 4 checkpoints with 14 events (the last test).
  const stops: Stop[] = [...Array.from({ length: 14 }, (_, event) => ({ event })), ...Array.from({ length: 5 }, (_, stream) => ({ stream }))];

  it.each(stops)('stopped at %j: nothing lost or doubled, the read model equals its rebuild, a replica equals the origin', async (stop) => {
    // Given an origin with 3..7 entries pending in each of 5 streams, exporting in batches of 5 entries
    const home = tempHome('alpha', 1);
    const a = await origin(home);
    const events: DomainEvent['type'][] = [];
    let stopping: Promise<void> | null = null;
    a.events$.subscribe((e) => {
      events.push(e.type);
      if ('event' in stop && events.length === stop.event + 1) stopping = a.interrupt();
    });

    // When the export is stopped right there (the next write throws), and the origin is opened again
    let streamsDone = 0;
    const first = a.export((p) => {
      if ('stream' in stop && p.phase === 'export' && ++streamsDone === stop.stream + 1) stopping = a.interrupt();
    });
    await expect(first).rejects.toMatchObject({ code: 'INTERRUPTED' }); // every stop point has a write after it
    await stopping;
    a.close();
    const b = await openCairn({ home, clock: steppingClock(), exportBatchEntries: 5 });

    // Then every acknowledged entry is there once, the read model equals its rebuild, before and after the
    // export runs again; and that export leaves nothing pending
    const all = STREAMS.map((s, i) => Array.from({ length: 3 + i }, (_, n) => body(s, n)));
    const shown = (c: Cairn): unknown[] => STREAMS.map((s) => c.show(s).entries.map((e) => e.body));
    expect(shown(b)).toEqual(all);
    expect(dumpReadModel(path.join(home, 'cairn.db'))).toEqual(await rebuilt(home));
    await b.export();
    expect(shown(b)).toEqual(all);
    expect((await b.status()).pending).toBe(0);
    expect(b.streams().map((s) => [s.stream, s.entries, s.sealed]).sort()).toEqual(STREAMS.map((s, i) => [s, 3 + i, 3 + i]));
    expect(fs.readdirSync(path.join(home, 'journal'))).toEqual([]);
    expect(await b.export()).toMatchObject({ checkpoint: null });
    const tables = dumpReadModel(path.join(home, 'cairn.db'));
    expect(tables).toEqual(await rebuilt(home));

    // And a replica that syncs equals the origin
    const folder = path.join(tempDir(), 'shared');
    await b.sync(folder, { create: true });
    b.close();
    const replicaHome = tempHome('bravo', 2);
    const c = await openCairn({ home: replicaHome, clock: steppingClock() });
    await c.sync(folder);
    const gids = STREAMS.map((s) => `${c.streams()[0]!.origin}~${s}`);
    expect(gids.map((g) => c.show(g).entries.map((e) => e.body))).toEqual(all);
    c.close();
    const replica = dumpReadModel(path.join(replicaHome, 'cairn.db'), ['streams', 'entries', 'entries_fts']);
    const own = dumpReadModel(path.join(home, 'cairn.db'), ['streams', 'entries', 'entries_fts']);
    expect(replica).toEqual(own);
  });

  it('an uninterrupted export of that backlog publishes 4 checkpoints and 14 events', async () => {
    const a = await origin(tempHome('alpha', 1));
    const events: string[] = [];
    a.events$.subscribe((e) => events.push(e.type));
    expect(await a.export()).toMatchObject({ checkpoint: 4, streams: 5 });
    expect(events.filter((t) => t === 'CheckpointAccepted')).toHaveLength(4);
    expect(events).toHaveLength(14);
    a.close();
  });
});

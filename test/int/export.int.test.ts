import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DomainEvent } from '../../src/domain';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { encodeName } from '../../src/plugins/file-store/FileJournal';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

function artifactFiles(home: string): Map<string, { size: number; mtimeMs: number; ino: number }> {
  const out = new Map<string, { size: number; mtimeMs: number; ino: number }>();
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else {
        const st = fs.statSync(full);
        out.set(path.relative(home, full), { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      }
    }
  };
  walk(path.join(home, 'artifacts'));
  return out;
}

describe('export', () => {
  it('appending 10 entries to a 100,000-entry stream writes only small new artifacts', async () => {
    const home = tempHome();
    const cairn = await openCairn({ home, clock: steppingClock() });
    for (let i = 0; i < 100_000; i += 10_000) {
      await cairn.append('big', Array.from({ length: 10_000 }, (_, j) => ({ n: i + j, text: `entry number ${i + j} about rivers and stones` })));
    }
    const first = await cairn.export();
    expect(first.segments).toBe(Math.ceil(100_000 / 4096));
    const before = artifactFiles(home);

    await cairn.append('big', Array.from({ length: 10 }, (_, j) => ({ n: 100_000 + j, text: 'ten more' })));
    const second = await cairn.export();
    const after = artifactFiles(home);

    expect(second).toMatchObject({ checkpoint: 2, streams: 1, segments: 1 });
    for (const [file, st] of before) expect(after.get(file)).toEqual(st); // nothing old was rewritten
    const added = [...after.keys()].filter((f) => !before.has(f));
    expect(added.map((f) => f.split('/')[2]).sort()).toEqual(['checkpoints', 'manifests', 'segments']);
    const newBytes = added.reduce((n, f) => n + after.get(f)!.size, 0);
    expect(newBytes).toBe(second.bytes);
    expect(newBytes).toBeLessThan(4096); // a tiny segment, a manifest of 26 segment refs, a delta checkpoint
    expect(cairn.streams()[0]!.entries).toBe(100_010);
    cairn.close();
  });

  it('publishes nothing when nothing is new, and publishes segments before manifests before the checkpoint', async () => {
    const home = tempHome();
    const cairn = await openCairn({ home, clock: steppingClock() });
    const events: DomainEvent['type'][] = [];
    const sub = cairn.events$.subscribe((e) => events.push(e.type));
    expect(await cairn.export()).toEqual({ checkpoint: null, streams: 0, segments: 0, bytes: 0 });
    await cairn.append('a', [1, 2]);
    await cairn.append('b', [3]);
    await cairn.export();
    expect(events).toEqual(['EntriesAppended', 'EntriesAppended', 'SegmentAccepted', 'ManifestAccepted', 'SegmentAccepted', 'ManifestAccepted', 'CheckpointAccepted']);
    const files = artifactFiles(home);
    expect(await cairn.export()).toEqual({ checkpoint: null, streams: 0, segments: 0, bytes: 0 });
    expect(artifactFiles(home)).toEqual(files);
    expect(fs.readdirSync(path.join(home, 'journal'))).toEqual([]);
    sub.unsubscribe();
    cairn.close();
  });

  it('re-export after a crash between the checkpoint and the journal cleanup changes nothing', async () => {
    const home = tempHome();
    const cairn = await openCairn({ home, clock: steppingClock() });
    await cairn.append('a', [1, 2, 3]);
    const journalFile = path.join(home, 'journal', `${encodeName('a')}.ndjson`);
    const saved = fs.readFileSync(journalFile);
    await cairn.export();
    cairn.close();
    fs.writeFileSync(journalFile, saved); // as if the process died before removing the sealed journal
    const reopened = await openCairn({ home, clock: steppingClock() });
    expect(reopened.streams()[0]!.entries).toBe(3);
    expect(await reopened.append('a', [4])).toMatchObject({ lastOrdinal: 3 });
    expect(await reopened.export()).toMatchObject({ checkpoint: 2, segments: 1 });
    expect(reopened.show('a').entries.map((e) => e.body)).toEqual([1, 2, 3, 4]);
    reopened.close();
  });

  it('drains a journal left with only a stream header (an append torn after it), and an append after that stays readable', async () => {
    // Given a stream whose first append was torn after its header line (the crash left no entries)
    const home = tempHome();
    const first = await openCairn({ home, clock: steppingClock() });
    await first.append('a', [{ v: 0 }], { kind: 'notes' });
    first.close();
    const journalFile = path.join(home, 'journal', `${encodeName('a')}.ndjson`);
    const [header, entries] = fs.readFileSync(journalFile, 'utf8').split('\n');
    fs.writeFileSync(journalFile, `${header}\n${entries!.slice(0, 20)}`);
    fs.rmSync(path.join(home, 'cairn.db')); // the read model never saw the torn append
    // When one long-lived instance exports (draining that journal), then appends to the stream
    const cairn = await openCairn({ home, clock: steppingClock() });
    expect(await cairn.export()).toMatchObject({ checkpoint: null });
    expect(await cairn.append('a', [{ v: 1 }], { kind: 'notes' })).toMatchObject({ lastOrdinal: 0 });
    // Then the acknowledged entry is exported under its header, and a fresh process reads the store
    expect(await cairn.export()).toMatchObject({ checkpoint: 1, segments: 1 });
    cairn.close();
    const reopened = await openCairn({ home, clock: steppingClock() });
    expect(reopened.streams().map((s) => [s.kind, s.entries])).toEqual([['notes', 1]]);
    expect(reopened.show('a').entries.map((e) => e.body)).toEqual([{ v: 1 }]);
    reopened.close();
  });

  it('stores blobs first and refuses entries that reference a blob it does not have', async () => {
    const home = tempHome();
    const cairn = await openCairn({ home, clock: steppingClock() });
    const ref = await cairn.putBlob(new TextEncoder().encode('attachment bytes'));
    await cairn.append('a', [{ file: ref }]);
    await expect(cairn.append('a', [{ file: { $blob: 'f'.repeat(64), size: 1 } }])).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const result = await cairn.export();
    expect(result.segments).toBe(1);
    expect(fs.existsSync(path.join(home, 'artifacts', cairn.origin, 'blobs', ref.$blob))).toBe(true);
    cairn.close();
  });
});

describe('export of a large backlog', () => {
  it('publishes a checkpoint per batch, drains every journal, and a replica gets exactly what one checkpoint would give', async () => {
    // Given an origin with 3 entries pending in each of 4 streams, and an export batch of 5 entries
    const home = tempHome('batched', 7);
    const a = await openCairn({ home, clock: steppingClock(), exportBatchEntries: 5 });
    for (const s of ['s1', 's2', 's3', 's4']) await a.append(s, [{ s, n: 0 }, { s, n: 1 }, { s, n: 2 }]);
    const seen: DomainEvent[] = [];
    a.events$.subscribe((e) => seen.push(e));

    // When it exports
    const result = await a.export();

    // Then two checkpoints sealed two streams each, each published after its segments and manifests
    expect(result).toMatchObject({ checkpoint: 2, streams: 4, segments: 4 });
    expect(seen.map((e) => e.type)).toEqual([
      ...['SegmentAccepted', 'ManifestAccepted', 'SegmentAccepted', 'ManifestAccepted', 'CheckpointAccepted'],
      ...['SegmentAccepted', 'ManifestAccepted', 'SegmentAccepted', 'ManifestAccepted', 'CheckpointAccepted'],
    ]);
    expect(fs.readdirSync(path.join(home, 'journal'))).toEqual([]);
    expect((await a.status()).pending).toBe(0);
    expect(await a.export()).toMatchObject({ checkpoint: null, segments: 0 });

    // And a replica that syncs holds the four streams whole
    const folder = tempHome('folder-unused', 8);
    await a.sync(path.join(folder, 'target'), { create: true });
    const b = await openCairn({ home: tempHome('replica', 9), clock: steppingClock() });
    await b.sync(path.join(folder, 'target'));
    expect(b.streams().map((s) => [s.id, s.entries, s.sealed])).toEqual(a.streams().map((s) => [s.id, s.entries, s.sealed]));
    expect(b.show(`${a.origin}~s4`).entries.map((e) => e.body)).toEqual([0, 1, 2].map((n) => ({ s: 's4', n })));
    a.close();
    b.close();
  });
});

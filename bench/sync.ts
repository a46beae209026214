/**
 * Sync figures through a shared folder: a 100,000-entry archive into an empty origin, a no-op sync, and a
 * 100-entry increment; with a bare baseline in the same run (copy the same files; decompress, verify, parse
 * and insert them into SQLite+FTS5 in 1,000-row transactions).
 * Usage: node dist-bench/bench/sync.js [N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { initHome, openCairn, systemClock, systemRandom } from '../src';
import { corpus } from './corpus';

const N = Number(process.argv[2] ?? 100_000);
const zstd = require('zstd-napi') as { decompress(b: Uint8Array): Buffer };

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-sync-'));
  try {
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    const homes = ['a', 'b'].map((n) => {
      const home = path.join(root, n);
      initHome(home, { name: n }, systemClock, systemRandom);
      return home;
    });
    const a = await openCairn({ home: homes[0]! });
    const byStream = new Map<string, unknown[]>();
    for (const e of corpus(N, 10)) (byStream.get(e.stream) ?? byStream.set(e.stream, []).get(e.stream)!).push(e.body);
    for (const [s, bodies] of byStream) for (let i = 0; i < bodies.length; i += 1000) await a.append(s, bodies.slice(i, i + 1000) as never);
    const [push, pushMs] = await timed(() => a.sync(shared));

    const b = await openCairn({ home: homes[1]! });
    const [initial, initialMs] = await timed(() => b.sync(shared));
    const [, noopMs] = await timed(() => b.sync(shared));
    const extra = [...corpus(100, 1, 7)].map((e) => e.body);
    await a.append('s0', extra as never);
    const [incPush, incPushMs] = await timed(() => a.sync(shared));
    const [incPull, incPullMs] = await timed(() => b.sync(shared));
    a.close();
    b.close();

    // Baseline: copy the same files, then decompress, hash, parse and insert them.
    const copyDir = path.join(root, 'copy');
    const [, copyMs] = await timed(() => fs.cpSync(shared, copyDir, { recursive: true }));
    const [, importMs] = await timed(() => {
      const db = new Database(path.join(root, 'bare.db'));
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE e (gid TEXT, o INT, body TEXT, PRIMARY KEY (gid, o)) WITHOUT ROWID; CREATE VIRTUAL TABLE f USING fts5(t, gid UNINDEXED, o UNINDEXED);');
      const ins = db.prepare('INSERT OR IGNORE INTO e VALUES (?, ?, ?)');
      const fts = db.prepare('INSERT INTO f VALUES (?, ?, ?)');
      let rows: [string, number, string, string][] = [];
      const flush = db.transaction((rs: typeof rows) => rs.forEach((r) => (ins.run(r[0], r[1], r[2]), fts.run(r[3], r[0], r[1]))));
      for (const file of files(copyDir).filter((f) => f.includes(`${path.sep}segments${path.sep}`))) {
        const bytes = zstd.decompress(fs.readFileSync(file));
        createHash('sha256').update(bytes).digest('hex');
        const lines = bytes.toString().split('\n');
        for (const line of lines.slice(1)) {
          if (!line) continue;
          const d = JSON.parse(line) as { body: { text: string }; ordinal: number };
          rows.push([file, d.ordinal, JSON.stringify(d.body), d.body.text]);
          if (rows.length === 1000) (flush(rows), (rows = []));
        }
      }
      flush(rows);
      db.close();
    });
    const out = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      entries: N,
      push: { ms: Math.round(pushMs), artifacts: push.pushed, bytes: push.bytes.pushed },
      initialSync: { ms: Math.round(initialMs), artifacts: initial.pulled, bytes: initial.bytes.pulled, entries: initial.imported.entries },
      noopSyncMs: Math.round(noopMs),
      increment100: { pushMs: Math.round(incPushMs), pushBytes: incPush.bytes.pushed, pullMs: Math.round(incPullMs), pullBytes: incPull.bytes.pulled, entries: incPull.imported.entries },
      baseline: { copyMs: Math.round(copyMs), importMs: Math.round(importMs) },
      ratios: { initialSyncVsCopyPlusImport: +(initialMs / (copyMs + importMs)).toFixed(2) },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

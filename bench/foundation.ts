/**
 * Foundation figures: for N entries of ~500 bytes, cairn's append+export throughput, rebuild time and
 * compression ratio, each next to a bare baseline measured in the same run (NDJSON → zstd → SHA-256 →
 * fsynced files; and for rebuild: read → decompress → parse → SQLite+FTS5 inserts in 1,000-row transactions).
 * Usage: node dist-bench/bench/foundation.js [N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { initHome, openCairn, systemClock, systemRandom, canonicalize } from '../src';
import { corpus } from './corpus';

const N = Number(process.argv[2] ?? 100_000);
const STREAMS = 10;
const zstd = require('zstd-napi') as { compress(b: Uint8Array, p?: object): Buffer; decompress(b: Uint8Array): Buffer };

function time<T>(fn: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  try {
    const entries = [...corpus(N, STREAMS)];
    const byStream = new Map<string, unknown[]>();
    for (const e of entries) (byStream.get(e.stream) ?? byStream.set(e.stream, []).get(e.stream)!).push(e.body);
    const rawBytes = entries.reduce((n, e) => n + Buffer.byteLength(canonicalize(e.body)) + 1, 0);

    // Bare export: chunks of 4,096 lines per stream, zstd level 3, sha256, write + fsync.
    const bareDir = path.join(root, 'bare');
    fs.mkdirSync(bareDir);
    const [bareOut, bareExportMs] = time(() => {
      let stored = 0;
      const files: string[] = [];
      for (const [s, bodies] of byStream) {
        for (let i = 0; i < bodies.length; i += 4096) {
          const text = bodies.slice(i, i + 4096).map((b, j) => `${canonicalize({ body: b, ordinal: i + j })}\n`).join('');
          const bytes = Buffer.from(text);
          const hash = createHash('sha256').update(bytes).digest('hex');
          const z = zstd.compress(bytes, { compressionLevel: 3 });
          const file = path.join(bareDir, `${s}-${hash}.zst`);
          const fd = fs.openSync(file, 'wx');
          fs.writeSync(fd, z);
          fs.fsyncSync(fd);
          fs.closeSync(fd);
          stored += z.length;
          files.push(file);
        }
      }
      return { stored, files };
    });
    // Bare rebuild: read, decompress, verify, parse, insert into SQLite with FTS5.
    const [, bareRebuildMs] = time(() => {
      const db = new Database(path.join(root, 'bare.db'));
      db.pragma('journal_mode = WAL');
      db.exec("CREATE TABLE entries (gid TEXT, ordinal INT, body TEXT, PRIMARY KEY (gid, ordinal)) WITHOUT ROWID; CREATE VIRTUAL TABLE fts USING fts5(text, gid UNINDEXED, ordinal UNINDEXED);");
      const ins = db.prepare('INSERT INTO entries VALUES (?, ?, ?)');
      const fts = db.prepare('INSERT INTO fts VALUES (?, ?, ?)');
      let batch: [string, number, string, string][] = [];
      const flush = db.transaction((rows: typeof batch) => rows.forEach((r) => (ins.run(r[0], r[1], r[2]), fts.run(r[3], r[0], r[1]))));
      for (const file of bareOut.files) {
        const bytes = zstd.decompress(fs.readFileSync(file));
        createHash('sha256').update(bytes).digest('hex');
        for (const line of bytes.toString().split('\n')) {
          if (!line) continue;
          const doc = JSON.parse(line) as { body: { text: string }; ordinal: number };
          batch.push([file, doc.ordinal, JSON.stringify(doc.body), doc.body.text]);
          if (batch.length === 1000) (flush(batch), (batch = []));
        }
      }
      flush(batch);
      db.close();
    });

    // cairn: append in batches of 1,000 per stream, export, then rebuild.
    const home = path.join(root, 'cairn');
    initHome(home, { name: 'bench' }, systemClock, systemRandom);
    const cairn = await openCairn({ home });
    const [, appendMs] = await timeAsync(async () => {
      for (const [s, bodies] of byStream) for (let i = 0; i < bodies.length; i += 1000) await cairn.append(s, bodies.slice(i, i + 1000) as never);
    });
    const [exp, exportMs] = await timeAsync(() => cairn.export());
    const [rebuilt, rebuildMs] = await timeAsync(() => cairn.rebuild());
    cairn.close();

    const mb = rawBytes / 1e6;
    const result = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      entries: N,
      streams: STREAMS,
      canonicalMB: +mb.toFixed(1),
      cairn: {
        appendMs: Math.round(appendMs),
        exportMs: Math.round(exportMs),
        exportEntriesPerSec: Math.round(N / (exportMs / 1000)),
        exportMBPerSec: +(mb / (exportMs / 1000)).toFixed(1),
        appendPlusExportEntriesPerSec: Math.round(N / ((appendMs + exportMs) / 1000)),
        storedMB: +(exp.bytes / 1e6).toFixed(2),
        compressionRatio: +(rawBytes / exp.bytes).toFixed(2),
        rebuildMs: Math.round(rebuildMs),
        rebuildEntries: rebuilt.entries,
      },
      bare: { exportMs: Math.round(bareExportMs), rebuildMs: Math.round(bareRebuildMs), compressionRatio: +(rawBytes / bareOut.stored).toFixed(2) },
      ratios: { exportVsBare: +(exportMs / bareExportMs).toFixed(2), rebuildVsBare: +(rebuildMs / bareRebuildMs).toFixed(2) },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

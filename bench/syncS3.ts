/**
 * Sync figures through an S3 target: a 100,000-entry archive pushed into an empty prefix, pulled into an
 * empty origin, a no-op sync, and a 100-entry increment. Uses $CAIRN_S3_ENDPOINT (with AWS_* credentials);
 * without one, starts a throwaway radosgw with scripts/s3-server.sh when it is installed, else says so
 * and exits 0 (the figure is then simply not produced).
 * Usage: node dist-bench/bench/syncS3.js [N]
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initHome, openCairn, systemClock, systemRandom } from '../src';
import { timed } from './benchUtil';
import { corpus } from './corpus';
import { ensureS3Server, NO_S3_SERVER, stopS3Server } from './s3Server';

const N = Number(process.argv[2] ?? 100_000);

async function main(): Promise<void> {
  const server = ensureS3Server();
  if (server === 'none') {
    console.log(JSON.stringify({ skipped: NO_S3_SERVER }));
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-s3-'));
  try {
    const url = `s3://${process.env.CAIRN_S3_BUCKET ?? 'cairn-bench'}/bench-${randomUUID().slice(0, 8)}`;
    const homes = ['a', 'b'].map((n) => {
      const home = path.join(root, n);
      initHome(home, { name: n }, systemClock, systemRandom);
      return home;
    });
    const a = await openCairn({ home: homes[0]! });
    const byStream = new Map<string, unknown[]>();
    for (const e of corpus(N, 10)) (byStream.get(e.stream) ?? byStream.set(e.stream, []).get(e.stream)!).push(e.body);
    for (const [s, bodies] of byStream) for (let i = 0; i < bodies.length; i += 1000) await a.append(s, bodies.slice(i, i + 1000) as never);
    const [, exportMs] = await timed(() => a.export());
    const [push, pushMs] = await timed(() => a.sync(url, { create: true }));
    const b = await openCairn({ home: homes[1]! });
    const [initial, initialMs] = await timed(() => b.sync(url));
    const [, noopMs] = await timed(() => b.sync(url));
    await a.append('s0', [...corpus(100, 1, 7)].map((e) => e.body) as never);
    const [incPush, incPushMs] = await timed(() => a.sync(url));
    const [incPull, incPullMs] = await timed(() => b.sync(url));
    a.close();
    b.close();
    const perSec = (entries: number, ms: number): number => Math.round(entries / (ms / 1000));
    const mbPerSec = (bytes: number, ms: number): number => +(bytes / 1e6 / (ms / 1000)).toFixed(1);
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
          endpoint: process.env.CAIRN_S3_ENDPOINT,
          entries: N,
          exportMs: Math.round(exportMs),
          pushIntoS3: { ms: Math.round(pushMs), artifacts: push.pushed, bytes: push.bytes.pushed, entriesPerSec: perSec(N, pushMs), MBps: mbPerSec(push.bytes.pushed, pushMs) },
          pullFromS3: {
            ms: Math.round(initialMs),
            artifacts: initial.pulled,
            bytes: initial.bytes.pulled,
            entries: initial.imported.entries,
            entriesPerSec: perSec(initial.imported.entries, initialMs),
            MBps: mbPerSec(initial.bytes.pulled, initialMs),
          },
          noopSyncMs: Math.round(noopMs),
          increment100: { pushMs: Math.round(incPushMs), pushBytes: incPush.bytes.pushed, pullMs: Math.round(incPullMs), pullBytes: incPull.bytes.pulled, entries: incPull.imported.entries },
        },
        null,
        2,
      ),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    if (server) stopS3Server(server);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * Sync throughput over HTTP for the 100,000-entry archive: A serves its store (`cairn serve`, a separate
 * process); B, empty, pulls it all (and imports it); a no-op sync; B relays the archive to an empty second
 * peer D (push, plus D's import triggered at the end); a 100-entry increment. A shared folder holding the
 * same artifacts is pulled by C in the same run as a baseline, and the bare protocol (list and get every
 * artifact, no verification, no import) is timed on its own.
 * Usage: node dist-bench/bench/syncHttp.js [N]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HttpTransport, initHome, openCairn, parsePeerUrl, systemClock, systemRandom } from '../src';
import { timed } from './benchUtil';
import { corpus } from './corpus';

const N = Number(process.argv[2] ?? 100_000);
const BIN = path.join(__dirname, '..', '..', 'bin', 'cairn.js');
const MB = 1024 * 1024;

interface Served {
  readonly url: string;
  readonly child: ChildProcess;
}

function serve(home: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--home', home, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ url: (JSON.parse(d.toString().split('\n')[0]!) as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

function peakRssMB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function stop(s: Served): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

const rate = (entries: number, bytes: number, ms: number): { entriesPerSec: number; MBps: number } => ({
  entriesPerSec: Math.round((entries / ms) * 1000),
  MBps: +((bytes / MB / ms) * 1000).toFixed(1),
});

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-http-'));
  try {
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    const [ha, hb, hc, hd] = ['a', 'b', 'c', 'd'].map((n) => {
      const home = path.join(root, n);
      initHome(home, { name: n }, systemClock, systemRandom);
      return home;
    }) as [string, string, string, string];
    const a = await openCairn({ home: ha });
    const byStream = new Map<string, unknown[]>();
    for (const e of corpus(N, 10)) (byStream.get(e.stream) ?? byStream.set(e.stream, []).get(e.stream)!).push(e.body);
    for (const [s, bodies] of byStream) for (let i = 0; i < bodies.length; i += 1000) await a.append(s, bodies.slice(i, i + 1000) as never);
    await a.sync(shared); // the folder baseline holds the same artifacts
    a.close();

    const peerA = await serve(ha);
    // The protocol alone: list and fetch every artifact, nothing verified or imported.
    const [moved, transferMs] = await timed(async () => {
      const t = new HttpTransport(parsePeerUrl(peerA.url));
      let bytes = 0;
      let artifacts = 0;
      for (const origin of await t.origins()) {
        for (const dir of ['checkpoints', 'manifests', 'segments', 'blobs', 'meta']) {
          for (const key of await t.list(`${origin}/${dir}/`)) {
            bytes += (await t.get(key))!.length;
            artifacts++;
          }
        }
      }
      await t.close();
      return { bytes, artifacts };
    });
    const b = await openCairn({ home: hb });
    const [initial, initialMs] = await timed(() => b.sync(peerA.url));
    const [, noopMs] = await timed(() => b.sync(peerA.url));
    const extra = [...corpus(100, 1, 7)].map((e) => e.body);
    await b.append('late', extra as never);
    const [inc, incMs] = await timed(() => b.sync(peerA.url));
    const servedPeakMB = peakRssMB(peerA.child.pid!);
    await stop(peerA);

    const peerD = await serve(hd);
    const [relay, relayMs] = await timed(() => b.sync(peerD.url));
    const receivingPeakMB = peakRssMB(peerD.child.pid!);
    await stop(peerD);
    b.close();

    const c = await openCairn({ home: hc });
    const [folder, folderMs] = await timed(() => c.sync(shared));
    c.close();

    const out = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      entries: N,
      httpInitialPull: {
        ms: Math.round(initialMs),
        artifacts: initial.pulled,
        bytes: initial.bytes.pulled,
        entries: initial.imported.entries,
        ...rate(initial.imported.entries, initial.bytes.pulled, initialMs),
      },
      httpTransferOnly: { ms: Math.round(transferMs), artifacts: moved.artifacts, bytes: moved.bytes, MBps: +((moved.bytes / MB / transferMs) * 1000).toFixed(1) },
      httpNoopSyncMs: Math.round(noopMs),
      httpIncrement100: { ms: Math.round(incMs), pushed: inc.pushed, bytes: inc.bytes.pushed },
      httpPushWithPeerImport: { ms: Math.round(relayMs), artifacts: relay.pushed, bytes: relay.bytes.pushed, ...rate(N, relay.bytes.pushed, relayMs) },
      folderInitialPull: { ms: Math.round(folderMs), bytes: folder.bytes.pulled, entries: folder.imported.entries, ...rate(folder.imported.entries, folder.bytes.pulled, folderMs) },
      ratios: { httpVsFolderInitialPull: +(initialMs / folderMs).toFixed(2) },
      serverPeakRssMB: { serving: servedPeakMB, receivingAndImporting: receivingPeakMB },
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

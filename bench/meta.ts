/**
 * Metadata replay: an origin with N metadata events (renames, stars, pins on one stream) is synced into an
 * empty origin through a folder (first sync: pull + verify + store + replay), then 100 more events are synced
 * (incremental), then both sync again with nothing new (no-op: the median of 5 runs each; and again with
 * a pack audit due at every sync), then the receiver
 * rebuilds (replay from its own store). Events are written straight into the author's store (as its own edits
 * would be) to keep the set-up short.
 * Usage: node dist-bench/bench/meta.js [N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeMetaEvent, formatHlc, initHome, msToNs, openCairn, systemClock, systemRandom, type ContentHash, type GlobalId, type OriginId } from '../src';

const N = Number(process.argv[2] ?? 100_000);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

/** Each event is based on the previous one of its register and names the author's previous event, as edits made with `meta` are. */
const lastOf = new Map<string, ContentHash>();
let prevStem: string | undefined;

function writeEvents(home: string, origin: OriginId, stream: GlobalId, from: number, count: number, t0: number): void {
  const dir = path.join(home, 'artifacts', origin, 'meta');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = from; i < from + count; i++) {
    const reg = `${i % 3}${i % 3 === 2 ? `#${i % 100}` : ''}`;
    const base = lastOf.get(reg);
    const b = { ...(base ? { base } : {}), ...(prevStem ? { prev: prevStem } : {}) };
    const hlc = formatHlc({ ns: msToNs(t0) + BigInt(i), c: 0 });
    const kind = i % 3;
    const e =
      kind === 0
        ? encodeMetaEvent({ hlc, origin, target: { stream }, op: 'rename', field: 'title', value: `title ${i}`, ...b })
        : kind === 1
          ? encodeMetaEvent({ hlc, origin, target: { stream }, op: i % 2 ? 'star' : 'unstar', field: 'starred', value: i % 2 === 1, ...b })
          : encodeMetaEvent({ hlc, origin, target: { stream, ordinal: i % 100 }, op: i % 2 ? 'pin' : 'unpin', field: 'pinned', value: i % 2 === 1, ...b });
    lastOf.set(reg, e.hash);
    prevStem = `${hlc}-${e.hash}`;
    fs.writeFileSync(path.join(dir, `${hlc}-${e.hash}.json`), e.bytes);
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-meta-'));
  try {
    const [ha, hb] = ['a', 'b'].map((n) => path.join(root, n));
    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    initHome(ha!, { name: 'a' }, systemClock, systemRandom);
    initHome(hb!, { name: 'b' }, systemClock, systemRandom);
    let a = await openCairn({ home: ha! });
    await a.append('notes', Array.from({ length: 100 }, (_, i) => ({ text: `entry ${i}` })));
    const stream = `${a.origin}~notes` as GlobalId;
    const t0 = Date.now() - 3_600_000;
    a.close();
    writeEvents(ha!, a.origin, stream, 0, N, t0);
    a = await openCairn({ home: ha! }); // catch-up replays the author's own events
    const [push, pushMs] = await timed(() => a.sync(shared));
    let b = await openCairn({ home: hb! });
    const [first, firstMs] = await timed(() => b.sync(shared));
    a.close();
    writeEvents(ha!, a.origin, stream, N, 100, t0);
    a = await openCairn({ home: ha! });
    await a.sync(shared);
    const [inc, incMs] = await timed(() => b.sync(shared));
    // No-op syncs: the author (which lists its own meta/ folder and checks its packs there) and a reader.
    const noop = async (c: typeof a): Promise<{ ms: number; pushed: number; pulled: number }> => {
      const runs: number[] = [];
      let moved = { pushed: 0, pulled: 0 };
      for (let i = 0; i < 5; i++) {
        const [r, ms] = await timed(() => c.sync(shared));
        runs.push(ms);
        moved = { pushed: moved.pushed + r.pushed, pulled: moved.pulled + r.pulled };
      }
      return { ms: Math.round(runs.sort((x, y) => x - y)[2]! * 10) / 10, ...moved };
    };
    const noopA = await noop(a);
    const noopB = await noop(b);
    // The same with a pack audit due at every sync (metaPackAuditMs 0; by default one is due per 15 minutes
    // per target and origin): each reads back one of the author's packs at the target.
    const auditing = await openCairn({ home: ha!, metaPackAuditMs: 0 });
    const auditA = await noop(auditing);
    auditing.close();
    b.close();
    b = await openCairn({ home: hb!, metaPackAuditMs: 0 });
    const auditB = await noop(b); // a relay audits the packs it holds just as their author does
    const [rebuilt, rebuildMs] = await timed(() => b.rebuild());
    const title = b.streams()[0]?.title;
    a.close();
    b.close();
    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
          events: N,
          push: { ms: Math.round(pushMs), artifacts: push.pushed },
          firstSync: { ms: Math.round(firstMs), pulled: first.pulled, bytes: first.bytes.pulled, eventsPerSec: Math.round(N / (firstMs / 1000)) },
          increment100: { ms: Math.round(incMs), pulled: inc.pulled },
          noopSync: { author: noopA, reader: noopB, authorAuditing: auditA, readerAuditing: auditB },
          rebuild: { ms: Math.round(rebuildMs), events: rebuilt.events },
          finalTitle: title,
        },
        null,
        2,
      ),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

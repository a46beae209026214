// Child process for the sync crash test: opens a home (from dist/, like the real binary), syncs it with a
// target and reports where it is on stdout, one marker per line, so the parent can SIGKILL it in a chosen
// phase:
//   "mark ready 0"               the store is open (catch-up done); sync starts now
//   "mark phase:<name> <ms>"     a progress phase started (pull, push, export, …), ms since ready
//   "mark event:<type> <ms>"     the first domain event of a type since ready (SegmentAccepted = import/export)
//   "result <json>"              the sync result; then the child exits 0
// With CAIRN_TEST_HOLD=<marker> set, the child stops dead (blocks its thread) right after printing that marker,
// so a SIGKILL aimed at it lands exactly there, however loaded the machine is.
// Stdout to a pipe is synchronous on Linux, so a marker is out before the work that follows it starts.
'use strict';

const WORDS = (
  'cairn stone river garlic tomato clock lantern harbor meadow copper violet ember quartz willow falcon ' +
  'saffron granite thistle orchard marble juniper cobalt hazel pebble drizzle tundra basalt fjord canyon ' +
  'lichen moss fern cedar birch alder maple spruce larch aspen poplar rowan sorrel yarrow clover nettle ' +
  'mallow tansy sedge rush reed bramble heather gorse broom bracken sphagnum peat loam silt clay gravel'
).split(' ');

/** A small seeded PRNG (mulberry32, from cairn/testing): the archive's content is a pure function of (stream, ordinal). */
const { mulberry32: prng } = require('../../dist/testing/prng');

/** The body of entry `ordinal` of stream `stream`: ~300 bytes of JSON, poorly compressible, searchable words. */
function body(stream, ordinal) {
  let h = 2166136261;
  for (const ch of `${stream}#${ordinal}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const rnd = prng(h);
  const words = [];
  let len = 0;
  while (len < 230) {
    const w = WORDS[Math.floor(rnd() * WORDS.length)];
    words.push(w);
    len += w.length + 1;
  }
  return { n: ordinal, stream, text: words.join(' '), score: Math.floor(rnd() * 1e9), tag: `t${Math.floor(rnd() * 97)}` };
}

async function run(home, target) {
  const { openCairn } = require('../../dist');
  const cairn = await openCairn({ home });
  const started = Date.now();
  const hold = process.env.CAIRN_TEST_HOLD;
  const out = (line) => {
    process.stdout.write(`${line}\n`);
    if (hold && line.startsWith(`mark ${hold} `)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  };
  out('mark ready 0');
  const seen = new Set();
  cairn.events$.subscribe((e) => {
    if (seen.has(e.type)) return;
    seen.add(e.type);
    out(`mark event:${e.type} ${Date.now() - started}`);
  });
  let phase = '';
  const result = await cairn.sync(target, {
    create: true,
    onProgress: (p) => {
      if (p.phase === phase) return;
      phase = p.phase;
      out(`mark phase:${p.phase} ${Date.now() - started}`);
    },
  });
  out(`mark done ${Date.now() - started}`);
  out(`result ${JSON.stringify(result)}`);
  cairn.close();
}

if (require.main === module) {
  run(process.argv[2], process.argv[3]).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
module.exports = { body, WORDS };

import * as fs from 'node:fs';
import { CairnError, type Json } from '../../domain';
import { defineCommand } from '../Command';
import { withCairn } from '../openStore';
import { terminalProgress } from '../progress';
import type { Io } from '../output';

const CHUNK_ENTRIES = 1000;
const CHUNK_BYTES = 1024 * 1024;

export const appendCommand = defineCommand({
  name: 'append',
  usage: 'cairn append <stream> [--kind K] [--file F]   (NDJSON: one entry body per line, from F or stdin)',
  summary: 'append entries to a stream of this origin',
  options: { kind: { type: 'string' }, file: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const stream = ctx.positionals[0]!;
    const file = ctx.values.file as string | undefined;
    const kind = ctx.values.kind as string | undefined;
    const text = file !== undefined ? readFile(file) : await readAll(ctx.io);
    const bodies = parseNdjson(text, file ?? 'stdin');
    return withCairn(ctx, async (cairn) => {
      const progress = terminalProgress(ctx.io, ctx.json);
      let result = await cairn.append(stream, [], { kind });
      let appended = 0;
      // Each chunk is durable when its append returns: an interruption loses only the chunk in flight.
      for (let i = 0; i < bodies.length; ) {
        let bytes = 0;
        let j = i;
        while (j < bodies.length && j - i < CHUNK_ENTRIES && bytes < CHUNK_BYTES) bytes += bodies[j++]!.size;
        result = await cairn.append(stream, bodies.slice(i, j).map((b) => b.value), { kind });
        appended += j - i;
        i = j;
        progress.sink?.({ phase: 'append', done: appended, total: bodies.length });
      }
      progress.done();
      return { stream: result.stream, appended, lastOrdinal: result.lastOrdinal };
    });
  },
  human: (r) => `appended ${r.appended} entr${r.appended === 1 ? 'y' : 'ies'} to ${r.stream} (last ordinal ${r.lastOrdinal ?? 'none'})`,
});

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CairnError('INPUT_INVALID', `cannot read ${file}: ${(err as Error).message}`);
  }
}

async function readAll(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Every line must parse before anything is appended: bad input appends nothing. */
export function parseNdjson(text: string, source: string): { value: Json; size: number }[] {
  const out: { value: Json; size: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push({ value: JSON.parse(line) as Json, size: line.length });
    } catch (err) {
      throw new CairnError('INPUT_INVALID', `line ${i + 1} of ${source} is not JSON (${(err as Error).message}); nothing was appended`);
    }
  }
  return out;
}

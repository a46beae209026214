import * as fs from 'node:fs';
import { CairnError, fromUtf8, type Json } from '../../domain';
import { defineCommand } from '../Command';
import { withCairn } from '../openStore';
import { terminalProgress } from '../progress';
import type { Io } from '../output';

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
    const bytes = file !== undefined ? readFile(file) : await readAll(ctx.io);
    const bodies = parseNdjson(decodeUtf8(bytes, file ?? 'stdin'), file ?? 'stdin');
    return withCairn(ctx, async (cairn) => {
      const progress = terminalProgress(ctx.io, ctx.json);
      // The use case checks every body first (bad input appends nothing), then writes durable chunks.
      const result = await cairn.append(stream, bodies, { kind, onProgress: progress.sink });
      progress.done();
      return result;
    });
  },
  human: (r) => `appended ${r.appended} entr${r.appended === 1 ? 'y' : 'ies'} to ${r.stream} (last ordinal ${r.lastOrdinal ?? 'none'})`,
});

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new CairnError('INPUT_INVALID', `cannot read ${file}: ${(err as Error).message}`);
  }
}

async function readAll(io: Io): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Input must be UTF-8: a stray byte is an error, never silently replaced. A leading BOM is dropped. */
function decodeUtf8(bytes: Buffer, source: string): string {
  try {
    return fromUtf8(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new CairnError('INPUT_INVALID', `${source} is not valid UTF-8; nothing was appended`);
  }
}

/** Every line must parse before anything is appended: bad input appends nothing. */
export function parseNdjson(text: string, source: string): Json[] {
  const out: Json[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as Json);
    } catch (err) {
      throw new CairnError('INPUT_INVALID', `line ${i + 1} of ${source} is not JSON (${(err as Error).message}); nothing was appended`);
    }
  }
  return out;
}

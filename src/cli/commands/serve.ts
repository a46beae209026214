import type { ImportReport } from '../../application/usecases/ImportReceived';
import { DEFAULT_PEER_PORT, serveCairn, type PeerEvent } from '../../infrastructure/http';
import { defineCommand, STREAMED } from '../Command';
import { intOption, withCairn } from '../openStore';
import { printJson, type Io } from '../output';
import { UsageError } from '../UsageError';

function printEvent(io: Io, json: boolean, e: PeerEvent): void {
  if (e.event === 'error') {
    if (json) printJson(io, e);
    io.stderr.write(`cairn: ${e.at} ${e.request}: ${e.message.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
    return;
  }
  const r = e.report as ImportReport;
  if (json) return printJson(io, { event: 'import', at: e.at, ...r });
  if (r.entries + r.events + r.deferred + r.quarantined + r.failures.length === 0) return;
  const extra = [r.deferred ? `${r.deferred} deferred` : '', r.quarantined ? `${r.quarantined} quarantined` : ''].filter(Boolean);
  io.stdout.write(`${e.at} imported ${r.entries} entries in ${r.streams} stream(s), ${r.events} metadata event(s)${extra.length ? `; ${extra.join(', ')}` : ''}\n`);
  for (const f of r.failures) io.stderr.write(`cairn: import of ${f.origin} stopped: ${f.message}\n`);
}

export const serveCommand = defineCommand({
  name: 'serve',
  usage: 'cairn serve [--host H] [--port P] [--token T]   (default 127.0.0.1:7420; a token, or CAIRN_TOKEN, is required off loopback)',
  summary: 'serve this store to other machines over HTTP until Ctrl-C; peers `sync http://host:port`',
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run(ctx): Promise<typeof STREAMED> {
    const port = intOption(ctx.values.port, 'port', DEFAULT_PEER_PORT);
    if (port > 65535) throw new UsageError(`--port must be 0-65535, got ${port}`);
    const token = (ctx.values.token as string | undefined) ?? (ctx.io.env.CAIRN_TOKEN || undefined);
    const host = (ctx.values.host as string | undefined) ?? '127.0.0.1';
    // Listen for the stop signals before anything is printed: a caller that stops us as soon as it reads the
    // URL must find the handlers in place.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return withCairn(ctx, async (cairn): Promise<typeof STREAMED> => {
      const server = await serveCairn(cairn, { host, port, token, onEvent: (e) => printEvent(ctx.io, ctx.json, e) });
      if (ctx.json) printJson(ctx.io, { url: server.url, origin: cairn.origin, home: cairn.home });
      else ctx.io.stdout.write(`serving ${cairn.home} (origin ${cairn.origin}) at ${server.url}; Ctrl-C stops\n`);
      await stopped;
      await server.close();
      return STREAMED;
    });
  },
  human: () => '',
});

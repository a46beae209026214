import type { Cairn } from '../../application/Cairn';
import type { SyncResult } from '../../application/usecases/SyncWithTarget';
import { defineCommand, STREAMED } from '../Command';
import { intOption, withCairn } from '../openStore';
import { printJson } from '../output';
import { terminalProgress } from '../progress';
import { UsageError } from '../UsageError';

function summary(r: SyncResult): string {
  const parts = [
    `synced with ${r.target}: pushed ${r.pushed} (${r.bytes.pushed} bytes), pulled ${r.pulled} (${r.bytes.pulled} bytes)`,
    `imported ${r.imported.streams} stream(s), ${r.imported.entries} entries`,
  ];
  if (r.deferred > 0) parts.push(`${r.deferred} deferred (missing; retried next sync)`);
  if (r.quarantined > 0) parts.push(`${r.quarantined} quarantined (failed verification)`);
  return parts.join('; ');
}

export const syncCommand = defineCommand({
  name: 'sync',
  usage: 'cairn sync <target> [--init] [--watch [--interval SECONDS]] [--no-gc] [--token T] [--allow-insecure]   (target: a folder, file://…, http(s)://host:port)',
  summary: 'export, then exchange with a target (push what it lacks, pull what we lack) and import',
  options: {
    init: { type: 'boolean' },
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    'no-gc': { type: 'boolean' },
    token: { type: 'string' },
    'allow-insecure': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run(ctx): Promise<SyncResult | typeof STREAMED> {
    const target = ctx.positionals[0]!;
    const options = {
      create: ctx.values.init === true,
      token: (ctx.values.token as string | undefined) ?? (ctx.io.env.CAIRN_TOKEN || undefined),
      allowInsecure: ctx.values['allow-insecure'] === true,
    };
    const once = async (cairn: Cairn): Promise<SyncResult> => {
      const progress = terminalProgress(ctx.io, ctx.json);
      const result = await cairn.sync(target, { ...options, onProgress: progress.sink });
      progress.done();
      return result;
    };
    if (ctx.values.watch !== true) return withCairn(ctx, once);
    const intervalMs = intOption(ctx.values.interval, 'interval', 5) * 1000;
    if (intervalMs < 1000) throw new UsageError('--interval must be at least 1 second');
    return withCairn(ctx, async (cairn): Promise<typeof STREAMED> => {
      let stop = false;
      let wake: () => void = () => undefined;
      const onSignal = (): void => {
        stop = true;
        wake();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        while (!stop) {
          try {
            const result = await once(cairn);
            if (ctx.json) printJson(ctx.io, result);
            else ctx.io.stdout.write(`${new Date().toISOString()} ${summary(result)}\n`);
            for (const f of result.failures) ctx.io.stderr.write(`cairn: ${f.origin}: ${f.message}\n`);
          } catch (err) {
            // A round that fails (the target went away, a disk filled up, the lock was busy) is reported; the
            // watch carries on. Each round holds the store's lock only while it runs, so other commands interleave.
            const e = err as { code?: string; message?: string };
            if (stop && e.code === 'INTERRUPTED') break; // Ctrl-C stopped this round before its next write
            if (ctx.json) printJson(ctx.io, { error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } });
            ctx.io.stderr.write(`cairn: ${(e.message ?? String(err)).replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
          }
          if (stop) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, intervalMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return STREAMED;
    });
  },
  human: (r) => (r === STREAMED ? '' : summary(r)),
  problems: (r) => (r === STREAMED ? [] : r.failures.map((f) => `sync with ${r.target} stopped for origin ${f.origin}: ${f.message}`)),
});

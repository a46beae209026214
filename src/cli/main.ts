import { parseArgs } from 'node:util';
import { resolveHome } from '../infrastructure/config/HomeConfig';
import { STREAMED, type Command, type OptionSpecs } from './Command';
import { COMMANDS } from './commands';
import { EXIT, printJson, reportError, type Io } from './output';
import { UsageError } from './UsageError';

const GLOBAL_OPTIONS: OptionSpecs = {
  home: { type: 'string' },
  'lock-timeout': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'cairn — local-first, multi-machine sync of append-mostly data',
    '',
    'usage: cairn <command> [options] [--home DIR] [--json]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'global options:',
    '  --home DIR  the store (default $CAIRN_HOME, else $XDG_DATA_HOME/cairn or ~/.local/share/cairn)',
    '  --json      one JSON document on stdout',
    '  --lock-timeout S  how long to wait for the store\'s lock (default 5 seconds; 0 tries once)',
    '  --help      this text, or a command\'s usage with `cairn <command> --help`',
    '',
    'exit codes: 0 ok, 1 failure, 2 usage error, 3 store lock held (or lost mid-operation), 130 interrupted',
  ].join('\n');
}

/** Parse → use case → print. Returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = hoistCommand(argv);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const out = helpText();
    if (name === undefined) {
      io.stderr.write(`${out}\n`);
      return EXIT.usage;
    }
    io.stdout.write(`${out}\n`);
    return EXIT.ok;
  }
  if (name === '--version') {
    io.stdout.write(`${require('../../package.json').version as string}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; run \`cairn --help\` for the list`);
    const { values, positionals } = parse(command, rest);
    if (values.help) {
      io.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
      return EXIT.ok;
    }
    const home = resolveHome(values.home as string | undefined, io.env);
    const result = await command.run({ io, home, json, values, positionals });
    if (result === STREAMED) return EXIT.ok;
    if (json) printJson(io, result);
    else {
      const text = command.human(result as never);
      if (text) io.stdout.write(`${text}\n`);
    }
    const problems = command.problems?.(result as never) ?? [];
    for (const p of problems) io.stderr.write(`cairn: ${p.replace(/\s*[\r\n]+\s*/g, ' ')}\n`);
    return problems.length > 0 ? EXIT.failure : EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError && command) err.message += ` (usage: ${command.usage})`;
    return reportError(io, err, json);
  }
}

/** Global options may come before the command (`cairn --home X init`): move the command to the front. */
function hoistCommand(argv: readonly string[]): string[] {
  const args = [...argv];
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-') && args[i] !== '--help' && args[i] !== '-h' && args[i] !== '--version') {
    i += args[i] === '--home' || args[i] === '--lock-timeout' ? 2 : 1;
  }
  if (i === 0 || i >= args.length) return args;
  const [command] = args.splice(i, 1);
  return [command!, ...args];
}

function parse(command: Command, args: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  if (!values.help && (positionals.length < command.positionals.min || positionals.length > command.positionals.max)) {
    throw new UsageError(`${command.name} takes ${describeCount(command.positionals)}, got ${positionals.length}`);
  }
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}

function describeCount(p: { min: number; max: number }): string {
  if (p.max === 0) return 'no arguments';
  if (p.min === p.max) return `${p.min} argument${p.min === 1 ? '' : 's'}`;
  return p.max === Infinity ? `at least ${p.min} argument(s)` : `${p.min}-${p.max} arguments`;
}

function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

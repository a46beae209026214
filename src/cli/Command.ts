import type { ParseArgsConfig } from 'node:util';
import type { Io } from './output';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  readonly io: Io;
  readonly home: string;
  readonly json: boolean;
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/** One CLI command: it parses, calls the application layer and returns what to print. */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: OptionSpecs;
  readonly positionals: { readonly min: number; readonly max: number };
  run(ctx: CommandContext): Promise<unknown>;
  /** Human text for the result (without --json). */
  human(result: never): string;
}

export function defineCommand<R>(command: Omit<Command, 'run' | 'human'> & {
  run(ctx: CommandContext): Promise<R>;
  human(result: R): string;
}): Command {
  return command as unknown as Command;
}

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
  /** Problems to report on stderr (one line each) after the result is printed; any makes the exit code 1. */
  problems?(result: never): string[];
}

export function defineCommand<R>(command: Omit<Command, 'run' | 'human'> & {
  run(ctx: CommandContext): Promise<R>;
  human(result: R): string;
  problems?(result: R): string[];
}): Command {
  return command as unknown as Command;
}

/** Returned by commands that printed their own output line by line (`sync --watch`, `serve`). */
export const STREAMED: unique symbol = Symbol('streamed');

// Shared by codec plugins (built-in and third-party): the errors a codec raises and zstd option parsing.
import { invalidPluginOptions } from '../plugins';
import { CairnError } from '../../domain/errors';

/** CODEC_FAILED for input that is not a well-formed zstd stream. */
export function corrupt(what: string): CairnError {
  return new CairnError('CODEC_FAILED', `zstd input is corrupt: ${what}; the artifact is damaged, fetch it again from a peer`);
}

/**
 * CODEC_UNSUPPORTED for zstd that this codec cannot decode although it may be valid: a window or memory need
 * beyond this implementation's limits (RFC 8878 lets decoders refuse windows above 8 MiB). Not proof of damage:
 * another codec (or another writer's reader) may read it, so such bytes are never removed from a target.
 */
export function beyondCodec(what: string): CairnError {
  return new CairnError('CODEC_UNSUPPORTED', `zstd input needs more than this codec can give: ${what}; it may be valid (another zstd wrote it): read it with the native "zstd" codec plugin`);
}

/** DECOMPRESSED_TOO_LARGE, raised before the output is fully inflated. */
export function tooLarge(why: string, maxBytes: number): CairnError {
  return new CairnError('DECOMPRESSED_TOO_LARGE', `zstd output too large: ${why}, but at most ${maxBytes} bytes are allowed here; refusing to inflate it (a zstd bomb, or the wrong kind of artifact)`);
}

/** `maxBytes` is set by the caller, never by the data: a bad one is a programming error. */
export function checkMaxBytes(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new CairnError('INTERNAL', `codec decompress needs maxBytes as a non-negative integer, got ${String(maxBytes)}`);
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A codec built directly (not through its plugin) still gets a level zstd accepts: an integer from 1 to 19. */
export function checkLevel(plugin: string, level: number): void {
  if (!Number.isInteger(level) || level < 1 || level > 19) {
    throw invalidPluginOptions(plugin, `compression level must be an integer from 1 to 19, got ${String(level)}`);
  }
}


/** Options shared by the zstd codec plugins. */
export interface ZstdOptions {
  /** zstd compression level; 3 unless set. */
  level?: number;
}

export const DEFAULT_ZSTD_LEVEL = 3;

/**
 * Validate zstd plugin options and return the compression level. `undefined` means defaults; anything else
 * must be a plain object whose only key is `level`, an integer from 1 to `maxLevel`.
 */
export function parseZstdOptions(plugin: string, options: unknown, maxLevel: number, why = ''): number {
  if (options === undefined) return DEFAULT_ZSTD_LEVEL;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidPluginOptions(plugin, `options must be an object like { "level": ${DEFAULT_ZSTD_LEVEL} }, got ${describe(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => key !== 'level');
  if (unknown.length > 0) {
    throw invalidPluginOptions(plugin, `unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; the only option is "level"`);
  }
  const level = (options as { level?: unknown }).level;
  if (level === undefined) return DEFAULT_ZSTD_LEVEL;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > maxLevel) {
    throw invalidPluginOptions(plugin, `"level" must be an integer from 1 to ${maxLevel}${why}, got ${describe(level)}`);
  }
  return level;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}

import { CairnError } from '../errors';
import { canonicalize, jsonDepthExceeds, type Json } from '../json';
import { LIMITS } from '../limits';
import { isIsoUtc } from '../time';

/** One entry of a stream. Ordinals are dense from 0; entries never change once appended. */
export interface Entry {
  readonly ordinal: number;
  readonly ts: string;
  readonly body: Json;
}

/** The canonical NDJSON line of an entry (with its trailing newline), checked against the size limit. */
export function entryLine(entry: Entry): string {
  if (jsonDepthExceeds(entry.body, LIMITS.maxJsonDepth)) throw entryTooDeep(entry.ordinal);
  return entryLineOf(entry.ordinal, entry.ts, canonicalize(entry.body));
}

/**
 * The same line from the body's canonical text (a caller that has it encodes each body once). Canonical keys
 * sort `body` < `ordinal` < `ts`, so the line is `canonicalize({body, ordinal, ts})` exactly.
 */
export function entryLineOf(ordinal: number, ts: string, bodyText: string): string {
  const line = `{"body":${bodyText},"ordinal":${ordinal},"ts":${JSON.stringify(ts)}}\n`;
  // A UTF-8 string is at most 3 bytes per UTF-16 unit: check the cheap bound before measuring.
  if (line.length * 3 > LIMITS.maxEntryBytes && Buffer.byteLength(line) > LIMITS.maxEntryBytes) {
    throw entryTooLarge(ordinal, Buffer.byteLength(line));
  }
  return line;
}

export function entryTooLarge(ordinal: number, bytes: number): CairnError {
  return new CairnError(
    'ENTRY_TOO_LARGE',
    `entry ${ordinal} is ${bytes} bytes as canonical JSON, over the ${LIMITS.maxEntryBytes}-byte limit: ` +
      'store large content as a blob and reference it from the entry',
  );
}

/** Validate an entry read from an artifact or the journal. */
export function parseEntry(value: unknown, expectedOrdinal: number, where: string): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, 'an entry must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  if (v.ordinal !== expectedOrdinal) {
    throw invalid(where, `expected ordinal ${expectedOrdinal}, found ${JSON.stringify(v.ordinal)}`);
  }
  if (!isIsoUtc(v.ts)) throw invalid(where, `entry ${expectedOrdinal} has an invalid ts ${JSON.stringify(v.ts)}`);
  if (!('body' in v)) throw invalid(where, `entry ${expectedOrdinal} has no body`);
  if (jsonDepthExceeds(v.body, LIMITS.maxJsonDepth)) throw invalid(where, `entry ${expectedOrdinal} nests deeper than ${LIMITS.maxJsonDepth}`);
  return { ordinal: expectedOrdinal, ts: v.ts, body: v.body as Json };
}

export function entryTooDeep(ordinal: number): CairnError {
  return new CairnError('ENTRY_TOO_LARGE', `entry ${ordinal} nests deeper than ${LIMITS.maxJsonDepth} arrays/objects: flatten it`);
}

function invalid(where: string, why: string): CairnError {
  return new CairnError('ARTIFACT_INVALID', `${where}: ${why}`);
}

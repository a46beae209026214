import { CairnError } from './errors';
import { canonicalize, isJsonObject, type Json, type JsonObject } from './json';
import { isIsoUtc } from './time';
import type { StreamHeader } from './artifacts/manifest';

/**
 * The local journal holds acknowledged entries that are not sealed into segments yet. One file per stream,
 * one line per record: the stream header once (when the stream is new), then one line per append batch.
 * A batch is one line, so a torn write loses the whole unacknowledged batch and nothing else.
 */
export type JournalRecord =
  | { readonly t: 'header'; readonly header: StreamHeader }
  | {
      readonly t: 'entries';
      readonly from: number;
      readonly ts: string;
      readonly bodies: readonly Json[];
      /** The bodies' canonical JSON, when the writer has it (each body is then encoded once); never stored. */
      readonly texts?: readonly string[];
    };

export function journalLine(record: JournalRecord): string {
  if (record.t === 'header') return `${canonicalize(record)}\n`;
  // Canonical keys sort bodies < from < t < ts.
  const bodies = record.texts ? `[${record.texts.join(',')}]` : canonicalize(record.bodies);
  return `{"bodies":${bodies},"from":${record.from},"t":"entries","ts":${JSON.stringify(record.ts)}}\n`;
}

export function parseJournalLine(line: string, where: string): JournalRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw corrupt(where, 'not JSON');
  }
  if (!isJsonObject(doc)) throw corrupt(where, 'not an object');
  if (doc.t === 'header') {
    const h = doc.header;
    if (!isJsonObject(h) || typeof h.kind !== 'string' || !isIsoUtc(h.createdAt) || !isJsonObject(h.attrs)) {
      throw corrupt(where, 'bad stream header');
    }
    return { t: 'header', header: { kind: h.kind, createdAt: h.createdAt, attrs: h.attrs as JsonObject } };
  }
  if (doc.t === 'entries') {
    if (!Number.isSafeInteger(doc.from) || (doc.from as number) < 0 || !isIsoUtc(doc.ts) || !Array.isArray(doc.bodies)) {
      throw corrupt(where, 'bad entries record');
    }
    return { t: 'entries', from: doc.from as number, ts: doc.ts, bodies: doc.bodies as Json[] };
  }
  throw corrupt(where, `unknown record type ${JSON.stringify(doc.t)}`);
}

function corrupt(where: string, why: string): CairnError {
  return new CairnError('STORE_CORRUPT', `journal ${where}: ${why}; move the file aside and run \`cairn rebuild\``);
}

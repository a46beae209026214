import { fromUtf8, isJsonObject } from '../json';

/**
 * The `origin` an artifact's canonical bytes name in their first JSON document (the whole document of a
 * manifest, checkpoint or metadata event; the header line of a segment), without checking anything else.
 * `undefined` when the bytes name none or are not JSON. Used for artifacts of a future format version, whose
 * schema this reader does not know but whose origin must still match the folder they are published in.
 */
export function envelopeOrigin(canonical: Uint8Array): unknown {
  let text: string;
  try {
    text = fromUtf8(canonical);
  } catch {
    return undefined;
  }
  const nl = text.indexOf('\n');
  let doc: unknown;
  try {
    doc = JSON.parse(nl >= 0 ? text.slice(0, nl) : text);
  } catch {
    return undefined;
  }
  return isJsonObject(doc) ? doc.origin : undefined;
}

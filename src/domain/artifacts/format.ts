import { CairnError } from '../errors';
import { fromUtf8, isJsonObject } from '../json';

/** Artifact format version written by this code. Readers accept this and older. */
export const FORMAT_VERSION = 1;

export function invalidArtifact(where: string, why: string): CairnError {
  return new CairnError('ARTIFACT_INVALID', `${where}: ${why}`);
}

/**
 * The error for `canonicalizeOr` on a value read from an artifact (`what` names it: `body`, `value`; `at` and
 * `why` from canonicalizeOr): a value with no JSON form cannot be stored, nor be the same on every replica, so
 * the artifact is invalid. Only a number beyond double range gets there (JSON.parse reads it as ±Infinity);
 * cairn never writes one.
 */
export function noJsonForm(where: string, what: string, at: string, why: string): CairnError {
  const hint = why.includes('Infinity') ? ' (a number beyond the range of a double, such as 1e400, reads as ±Infinity)' : '';
  return invalidArtifact(where, `${what}${at}: ${why}${hint}`);
}

/** Decode one JSON document as received (UTF-8, one trailing newline). Does not re-encode. */
export function parseJsonDocument(bytes: Uint8Array, where: string): Record<string, unknown> {
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw invalidArtifact(where, 'not valid UTF-8');
  }
  if (!text.endsWith('\n')) throw invalidArtifact(where, 'a JSON artifact must end with one newline');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalidArtifact(where, `bad JSON (${(err as Error).message})`);
  }
  if (!isJsonObject(value)) throw invalidArtifact(where, 'expected a JSON object');
  return value;
}

/**
 * Check `v` and `kind`. A version newer than this reader is VERSION_UNSUPPORTED: such artifacts are stored
 * and relayed, but not imported until an upgrade understands them.
 */
export function checkVersionAndKind(doc: Record<string, unknown>, kind: string, where: string): void {
  checkKind(doc, kind, where);
  checkVersion(doc, where);
}

export function checkKind(doc: Record<string, unknown>, kind: string, where: string): void {
  if (doc.kind !== kind) throw invalidArtifact(where, `expected kind "${kind}", found ${JSON.stringify(doc.kind)}`);
}

export function checkVersion(doc: Record<string, unknown>, where: string): void {
  const v = doc.v;
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw invalidArtifact(where, `bad format version ${JSON.stringify(v)}`);
  if ((v as number) > FORMAT_VERSION) {
    throw new CairnError(
      'VERSION_UNSUPPORTED',
      `${where}: format version ${v} is newer than this cairn understands (${FORMAT_VERSION}); upgrade cairn to import it`,
    );
  }
}

export function requireNonNegativeInt(doc: Record<string, unknown>, field: string, where: string): number {
  const value = doc[field];
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidArtifact(where, `field "${field}" must be a non-negative integer, found ${JSON.stringify(value)}`);
  }
  return value as number;
}

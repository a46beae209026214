const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** ISO-8601 UTC, as every time in cairn is written (`2026-11-22T17:13:00.000Z`). */
export function isIsoUtc(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC_RE.test(value) && !Number.isNaN(Date.parse(value));
}

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

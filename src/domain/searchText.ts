import type { Json } from './json';

/**
 * The text an entry contributes to full-text search: every string in its body, objects walked in canonical
 * (sorted) key order, so the text never depends on how the caller happened to build the object.
 */
export function searchText(body: Json): string {
  const parts: string[] = [];
  collect(body, parts);
  return parts.join(' ');
}

function collect(value: Json, parts: string[]): void {
  if (typeof value === 'string') parts.push(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, parts);
  else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, Json>;
    for (const key of Object.keys(obj).sort()) if (obj[key] !== undefined) collect(obj[key]!, parts);
  }
}

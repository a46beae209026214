/** Turn what a person typed into a safe FTS5 query: each word a quoted term, all required. */
export function ftsQuery(input: string): string | null {
  const words = input.match(/[\p{L}\p{N}_]+/gu);
  if (!words) return null;
  return words.map((w) => `"${w}"`).join(' ');
}

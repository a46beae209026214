// node:zlib's crc32 is, with node:crypto, an import from outside the domain that the layering rule allows here:
// CRC-32 is a pure function of its input (no I/O, no clock, no randomness). See docs/adr/0014-journal-body-texts.md.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array | string, value?: number) => number;

/** CRC-32 (ISO-HDLC, as zlib and gzip) of `data` (a string as UTF-8), continuing from `value`. */
export const crc32: Crc32 = (zlib as { crc32?: Crc32 }).crc32 ?? crc32Portable;

let table: Uint32Array | null = null;

/** The same function in plain JavaScript, for Node releases before 20.15 (which lack `zlib.crc32`). */
export function crc32Portable(data: Uint8Array | string, value = 0): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

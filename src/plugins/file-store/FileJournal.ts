import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Journal } from '../../application/ports';
import { CairnError, checkJournalTail, isStreamId, journalBytes, readJournalLine, type JournalRecord, type StoredJournalRecord, type StreamId } from '../../domain';
import { ensureDir, fsyncDir, isNotFound } from './fsSync';

const SUFFIX = '.ndjson';

/**
 * The journal as one NDJSON file per stream. An append is one `write` of whole lines followed by fsync, so a
 * crash can leave at most a torn last line without its newline: reads ignore it, and the next append cuts it
 * off (that append never returned). A complete line that does not parse is corruption, never "torn":
 * canonical JSON has no raw newlines, so only a finished write ends in one. So is a tail that is a whole line
 * and one more byte: a torn write leaves a prefix, and the byte after a whole line is its newline.
 * File names are the stream id in base32 (lower case, no padding): case-insensitive file systems cannot merge
 * two streams, no name starts with a dot, and a 128-byte id stays under the 255-byte name limit.
 */
export class FileJournal implements Journal {
  constructor(private readonly dir: string) {}

  async append(stream: StreamId, records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const file = this.fileOf(stream);
    const data = journalBytes(records);
    ensureDir(this.dir);
    const existed = fs.existsSync(file);
    if (existed) this.repairTail(stream, file);
    const fd = fs.openSync(file, 'a', 0o644);
    const size = fs.fstatSync(fd).size;
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fsyncSync(fd);
    } catch (err) {
      // The caller will not acknowledge these records: take them back so a retry cannot be shadowed by them.
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        // the next read or append cuts a torn tail; a whole unacknowledged line would be reused by a retry
      }
      throw err;
    } finally {
      fs.closeSync(fd);
    }
    if (!existed) fsyncDir(this.dir);
  }

  async read(stream: StreamId): Promise<StoredJournalRecord[]> {
    const file = this.fileOf(stream);
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    // Line by line from the bytes: no copy of the whole file as one string, and the body texts stay views of
    // these bytes (ADR 0014). What follows the last newline is a torn tail that the next append cuts off.
    // Decoding is strict: a damaged byte is corruption, never a replacement character sealed in its place.
    const records: StoredJournalRecord[] = [];
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; start = nl + 1, nl = data.indexOf(0x0a, start)) {
      records.push(readJournalLine(data, start, nl, this.where(stream, records.length + 1)));
    }
    checkJournalTail(data, start, data.length, this.where(stream, records.length + 1));
    return records;
  }

  async streams(): Promise<StreamId[]> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.'))
      .map((n) => decodeName(n.slice(0, -SUFFIX.length)))
      .filter((s): s is StreamId => s !== null)
      .sort();
  }

  async remove(streams: readonly StreamId[]): Promise<void> {
    let removed = false;
    for (const stream of streams) {
      try {
        fs.unlinkSync(this.fileOf(stream));
        removed = true;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (removed) fsyncDir(this.dir); // one directory fsync for all of them
  }

  private where(stream: StreamId, line: number): string {
    return `of stream ${stream} (${encodeName(stream)}${SUFFIX} line ${line})`;
  }

  private fileOf(stream: StreamId): string {
    if (!isStreamId(stream)) throw new CairnError('STREAM_ID_INVALID', `stream id ${JSON.stringify(stream)} is invalid`);
    return path.join(this.dir, encodeName(stream) + SUFFIX);
  }

  /**
   * Cut a torn last line before appending after it (never a whole line whose newline was damaged, see
   * `checkJournalTail`). Reads only the last byte when the file is whole.
   */
  private repairTail(stream: StreamId, file: string): void {
    const fd = fs.openSync(file, 'r');
    let whole = true;
    try {
      const size = fs.fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        whole = last[0] === 0x0a;
      }
    } finally {
      fs.closeSync(fd);
    }
    if (!whole) {
      const data = fs.readFileSync(file);
      const cut = data.lastIndexOf(0x0a) + 1;
      let lines = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, nl + 1)) lines++;
      checkJournalTail(data, cut, data.length, this.where(stream, lines + 1));
      this.truncate(file, cut);
    }
  }

  private truncate(file: string, length: number): void {
    const fd = fs.openSync(file, 'r+');
    try {
      fs.ftruncateSync(fd, length);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 of the id's bytes, lower case, without padding. */
export function encodeName(stream: string): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of Buffer.from(stream, 'utf8')) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function decodeName(name: string): StreamId | null {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of name) {
    const v = BASE32.indexOf(c);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return isStreamId(decoded) && encodeName(decoded) === name ? decoded : null;
}

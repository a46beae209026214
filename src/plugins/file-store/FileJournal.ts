import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Journal } from '../../application/ports';
import { CairnError, isStreamId, journalLine, parseJournalLine, type JournalRecord, type StreamId } from '../../domain';
import { ensureDir, fsyncDir, isNotFound, tempName } from './fsSync';

const SUFFIX = '.ndjson';

/**
 * The journal as one NDJSON file per stream. An append is one `write` of whole lines followed by fsync, so a
 * crash can leave at most a torn last line, which the next read cuts off (that append never returned).
 * Stream ids are case-sensitive; file names escape upper case (`^a` for `A`) so case-insensitive file
 * systems cannot merge two streams.
 */
export class FileJournal implements Journal {
  constructor(private readonly dir: string) {}

  async append(stream: StreamId, records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const file = this.fileOf(stream);
    const data = Buffer.from(records.map(journalLine).join(''), 'utf8');
    ensureDir(this.dir);
    const existed = fs.existsSync(file);
    if (existed) this.repairTail(file);
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

  async read(stream: StreamId): Promise<JournalRecord[]> {
    const file = this.fileOf(stream);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const lines = text.split('\n');
    const tail = lines.pop() ?? '';
    const records: JournalRecord[] = [];
    let goodBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      try {
        records.push(parseJournalLine(line, `${path.basename(file)} line ${i + 1}`));
      } catch (err) {
        // Only the last line can be torn; anything earlier is corruption.
        if (i === lines.length - 1 && tail === '') {
          this.truncate(file, goodBytes);
          return records;
        }
        throw err;
      }
      goodBytes += Buffer.byteLength(line) + 1;
    }
    if (tail !== '') this.truncate(file, goodBytes);
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

  async replace(stream: StreamId, records: readonly JournalRecord[]): Promise<void> {
    const file = this.fileOf(stream);
    if (records.length === 0) {
      try {
        fs.unlinkSync(file);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      fsyncDir(this.dir);
      return;
    }
    ensureDir(this.dir);
    const tmp = tempName(this.dir, path.basename(file));
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, records.map(journalLine).join(''));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(this.dir);
  }

  private fileOf(stream: StreamId): string {
    if (!isStreamId(stream)) throw new CairnError('STREAM_ID_INVALID', `stream id ${JSON.stringify(stream)} is invalid`);
    return path.join(this.dir, encodeName(stream) + SUFFIX);
  }

  /** Cut a torn last line before appending after it. Reads only the last byte when the file is whole. */
  private repairTail(file: string): void {
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
      const text = fs.readFileSync(file);
      this.truncate(file, text.lastIndexOf(0x0a) + 1);
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

export function encodeName(stream: string): string {
  return stream.replace(/[A-Z^]/g, (c) => `^${c.toLowerCase()}`);
}

export function decodeName(name: string): StreamId | null {
  const decoded = name.replace(/\^([a-z])/g, (_m, c: string) => c.toUpperCase());
  return isStreamId(decoded) ? decoded : null;
}

import type { Journal } from '../../application/ports';
import { journalBytes, readJournalLine, type JournalRecord, type StoredJournalRecord, type StreamId } from '../../domain';

/**
 * The journal in memory (not durable): for tests and embedding. It holds each record as the line the file
 * journal would write and parses it back on read, so it stores what the writer encoded (a record's `texts`),
 * never the caller's objects, and what it reads back is plain JSON of this realm (a structured clone made
 * under a test runner's VM context is not, and canonical JSON refuses it).
 */
export class MemoryJournal implements Journal {
  private readonly files = new Map<StreamId, Buffer[]>();

  async append(stream: StreamId, records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const lines = records.map(lineBytes); // every record encodes before any is stored, as one write
    this.files.set(stream, [...(this.files.get(stream) ?? []), ...lines]);
  }

  async read(stream: StreamId): Promise<StoredJournalRecord[]> {
    return (this.files.get(stream) ?? []).map((line, i) => readJournalLine(line, 0, line.length - 1, `of stream ${stream} (in memory, record ${i + 1})`));
  }

  async streams(): Promise<StreamId[]> {
    return [...this.files.keys()].sort();
  }

  async remove(streams: readonly StreamId[]): Promise<void> {
    for (const stream of streams) this.files.delete(stream);
  }
}

function lineBytes(record: JournalRecord): Buffer {
  return journalBytes([record]);
}

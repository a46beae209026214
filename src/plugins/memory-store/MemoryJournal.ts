import type { Journal } from '../../application/ports';
import type { JournalRecord, StreamId } from '../../domain';

/** The journal in memory (not durable): for tests and embedding. */
export class MemoryJournal implements Journal {
  private readonly files = new Map<StreamId, JournalRecord[]>();

  async append(stream: StreamId, records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const file = this.files.get(stream) ?? [];
    file.push(...records.map((r) => structuredClone(r)));
    this.files.set(stream, file);
  }

  async read(stream: StreamId): Promise<JournalRecord[]> {
    return (this.files.get(stream) ?? []).map((r) => structuredClone(r));
  }

  async streams(): Promise<StreamId[]> {
    return [...this.files.keys()].sort();
  }

  async replace(stream: StreamId, records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) this.files.delete(stream);
    else this.files.set(stream, records.map((r) => structuredClone(r)));
  }
}

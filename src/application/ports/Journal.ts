import type { JournalRecord, StreamId } from '../../domain';

/** The durable local journal of acknowledged, not yet exported entries. It belongs to the store. */
export interface Journal {
  /** Append records for one stream; durable (fsynced) when the promise resolves. */
  append(stream: StreamId, records: readonly JournalRecord[]): Promise<void>;
  /** All complete records of a stream. A torn last record (a crash mid-append) is dropped and cut off. */
  read(stream: StreamId): Promise<JournalRecord[]>;
  /** Streams that have a journal. */
  streams(): Promise<StreamId[]>;
  /** Atomically replace a stream's journal; an empty list removes it. */
  replace(stream: StreamId, records: readonly JournalRecord[]): Promise<void>;
}

import type { JournalRecord, StoredJournalRecord, StreamId } from '../../domain';

/** The durable local journal of acknowledged, not yet exported entries. It belongs to the store. */
export interface Journal {
  /** Append records for one stream; durable (fsynced) when the promise resolves. */
  append(stream: StreamId, records: readonly JournalRecord[]): Promise<void>;
  /**
   * All complete records of a stream, their bodies as canonical texts (parsed when asked). A torn last record
   * (a crash mid-append) is dropped, and cut off by the next append; a damaged one is STORE_CORRUPT, and so is
   * a whole last record whose end was damaged (a torn write leaves only a prefix of what it wrote).
   */
  read(stream: StreamId): Promise<StoredJournalRecord[]>;
  /** Streams that have a journal. */
  streams(): Promise<StreamId[]>;
  /** Remove the journals of these streams (export sealed them), durably when it resolves; a missing one is no error. */
  remove(streams: readonly StreamId[]): Promise<void>;
}

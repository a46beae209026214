/** Where artifacts that failed verification go: kept for inspection, never imported, never copied onward. */
export interface QuarantineEntry {
  readonly source: string;
  readonly key: string;
  readonly code: string;
  readonly reason: string;
  readonly at: string;
}

export interface Quarantine {
  put(entry: QuarantineEntry, bytes: Uint8Array | null): Promise<void>;
  list(): Promise<QuarantineEntry[]>;
}

/** What one exchange with a target moved. */
export interface ExchangeCounts {
  pushed: number;
  pulled: number;
  bytesPushed: number;
  bytesPulled: number;
  deferred: number;
  quarantined: number;
  failures: { origin: string; code: string; message: string }[];
}

export function emptyExchange(): ExchangeCounts {
  return { pushed: 0, pulled: 0, bytesPushed: 0, bytesPulled: 0, deferred: 0, quarantined: 0, failures: [] };
}

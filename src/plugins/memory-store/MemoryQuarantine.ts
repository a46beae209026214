import type { Quarantine, QuarantineEntry } from '../../application/ports';

export class MemoryQuarantine implements Quarantine {
  private readonly entries: QuarantineEntry[] = [];

  async put(entry: QuarantineEntry): Promise<void> {
    this.entries.push(entry);
  }

  async list(): Promise<QuarantineEntry[]> {
    return [...this.entries];
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Quarantine, QuarantineEntry } from '../../application/ports';
import { ensureDir, isNotFound } from './fsSync';

/** `<home>/quarantine/`: the bytes that failed verification, and an NDJSON log of why. */
export class FileQuarantine implements Quarantine {
  constructor(private readonly dir: string) {}

  async put(entry: QuarantineEntry, bytes: Uint8Array | null): Promise<void> {
    ensureDir(this.dir);
    if (bytes) {
      const name = `${entry.at.replace(/[^0-9TZ]/g, '')}-${entry.key.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 200);
      fs.writeFileSync(path.join(this.dir, name), bytes);
    }
    fs.appendFileSync(path.join(this.dir, 'log.ndjson'), `${JSON.stringify(entry)}\n`);
  }

  async list(): Promise<QuarantineEntry[]> {
    try {
      return fs
        .readFileSync(path.join(this.dir, 'log.ndjson'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as QuarantineEntry];
          } catch {
            return [];
          }
        });
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }
}

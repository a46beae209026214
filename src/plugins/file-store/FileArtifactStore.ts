import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactStore, ListOptions, PutOutcome } from '../../application/ports';
import { CairnError, LIMITS } from '../../domain';
import { ensureDir, fsyncDir, isNotFound, tempName, writeNewFileSync } from './fsSync';

/**
 * Artifacts as files: `<root>/<origin>/<dir>/<name>`. Publishing writes a temp file (a dot file, which
 * listings ignore), fsyncs it and hard-links it to its final name: the link fails if the name exists, so a
 * published name is never overwritten and never seen half-written.
 */
/** No artifact can be larger than a blob; anything bigger is not read at all. */
const MAX_OBJECT_BYTES = LIMITS.maxBlobBytes + 1024 * 1024;

export class FileArtifactStore implements ArtifactStore {
  constructor(private readonly root: string) {}

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutOutcome> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    if (fs.existsSync(file)) return this.compare(file, bytes); // no temp copy for what is already there
    ensureDir(dir);
    const tmp = tempName(dir, path.basename(file));
    writeNewFileSync(tmp, bytes);
    try {
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return this.compare(file, bytes);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
        // No hard links on this file system: exclusive create is still no-replace; readers verify hashes.
        try {
          writeNewFileSync(file, bytes);
        } catch (inner) {
          if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return this.compare(file, bytes);
          throw inner;
        }
      }
      fsyncDir(dir);
      return 'created';
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    const file = this.pathOf(key);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    if (!stat.isFile()) return null; // a folder or device where an artifact should be: absent, not an error
    if (stat.size > MAX_OBJECT_BYTES) {
      throw new CairnError('DECOMPRESSED_TOO_LARGE', `${key} is ${stat.size} bytes, larger than any artifact can be; it is not read`);
    }
    try {
      return fs.readFileSync(file);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return fs.statSync(this.pathOf(key)).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    if (!prefix.endsWith('/')) throw new CairnError('INTERNAL', `list prefix must end with "/": ${prefix}`);
    const dir = this.pathOf(prefix.slice(0, -1));
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const keys = names
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => prefix + d.name)
      .filter((k) => options.after === undefined || k > options.after)
      .sort();
    return options.limit !== undefined ? keys.slice(0, options.limit) : keys;
  }

  async origins(): Promise<string[]> {
    try {
      return fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    try {
      fs.unlinkSync(file);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    fsyncDir(path.dirname(file));
    return true;
  }

  private compare(file: string, bytes: Uint8Array): PutOutcome {
    const existing = fs.readFileSync(file);
    return existing.length === bytes.length && Buffer.compare(existing, bytes) === 0 ? 'identical' : 'conflict';
  }

  /**
   * Keys are `a/b/c` of safe segments; anything that could escape the root is refused, and so is a symbolic
   * link below the root (a shared folder is written by others: a link must not send our writes elsewhere).
   */
  private pathOf(key: string): string {
    const parts = key.split('/');
    for (const part of parts) {
      if (part === '' || part === '.' || part === '..' || /[\\\0]/.test(part) || part.startsWith('.')) {
        throw new CairnError('ARTIFACT_NAME_INVALID', `artifact key ${JSON.stringify(key)} is not a safe relative path`);
      }
    }
    let at = this.root;
    for (const part of parts) {
      at = path.join(at, part);
      let link = false;
      try {
        link = fs.lstatSync(at).isSymbolicLink();
      } catch (err) {
        if (isNotFound(err)) break;
        throw err;
      }
      if (link) throw new CairnError('ARTIFACT_NAME_INVALID', `${at} is a symbolic link; cairn does not follow links inside a store or target`);
    }
    return path.join(this.root, ...parts);
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';

/** fsync a directory so a new or removed name in it survives a crash. Best effort where unsupported. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write all bytes to a new file (exclusive create) and fsync it. */
export function writeNewFileSync(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function tempName(dir: string, base: string): string {
  return path.join(dir, `.${base}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}

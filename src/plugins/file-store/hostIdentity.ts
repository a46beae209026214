import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** This process as a lock holder sees itself. `id` names the machine, boot and pid namespace. */
export interface HostIdentity {
  readonly host: string;
  /**
   * Two holders with the same id see the same pids: only then may a dead pid mean a dead holder. A host name
   * alone is not enough (containers share names; a reboot reuses pids), so the boot id and the pid namespace
   * go in where the system has them.
   */
  readonly id: string;
  readonly pid: number;
}

let cached: HostIdentity | undefined;

export function thisHost(): HostIdentity {
  if (cached) return cached;
  const host = os.hostname();
  const parts = [host, readQuietly(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()), readQuietly(() => fs.readlinkSync('/proc/self/ns/pid'))];
  cached = { host, id: createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16), pid: process.pid };
  return cached;
}

/** Whether a process of this pid namespace is alive (EPERM: alive, but someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readQuietly(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

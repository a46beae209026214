import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/** The slots of the shared state, and the connection's states. */
const CONNECTION = 0;
const ATTEMPTS = 1;
const NONE = 0;
const OPEN = 1;
const CLOSED = 2;
/** The longest `stop` waits for the worker's connection to close (a stuck disk: then it goes on regardless). */
const STOP_WAIT_MS = 30_000;

/**
 * The worker's code (plain CommonJS, so it runs from `src` under ts-jest and from `dist` alike): its own
 * connection to the database, a PASSIVE checkpoint whenever the main thread says it committed, repeated until
 * the WAL is copied back, then idle until told again. PASSIVE never waits for, or blocks, the writer.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const [CONNECTION, ATTEMPTS, NONE, OPEN, CLOSED] = [${CONNECTION}, ${ATTEMPTS}, ${NONE}, ${OPEN}, ${CLOSED}];
const state = new Int32Array(workerData.state);
let db = null;
let running = false;
let copied = -1; // frames the last checkpoint left copied back
let delay = workerData.retryMs;
function close() {
  if (db) db.close();
  db = null;
  Atomics.store(state, CONNECTION, CLOSED);
  Atomics.notify(state, CONNECTION);
}
function fail(err) {
  close();
  parentPort.postMessage({ type: 'failed', message: String(err && err.message) });
}
function open() {
  if (db) return true;
  if (Atomics.compareExchange(state, CONNECTION, NONE, OPEN) !== NONE) return false; // stopped before it opened
  try {
    db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    return true;
  } catch (err) {
    fail(err);
    return false;
  }
}
function step() {
  if (!db) return;
  let row = null;
  let error = null;
  try {
    row = db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch (err) {
    error = err;
  }
  Atomics.add(state, ATTEMPTS, 1);
  // Busy (another connection is recovering the WAL or changing the schema): try again. Any other error (a
  // full disk, an I/O error, a damaged file) would fail again: the worker turns itself off.
  if (error && !/^SQLITE_(BUSY|LOCKED)/.test(String(error.code))) return fail(error);
  const behind = !row || row.busy !== 0 || row.checkpointed < row.log;
  const progress = !!row && row.busy === 0 && row.checkpointed !== copied;
  if (row) copied = row.checkpointed;
  // Behind and copying: again soon. Behind and stuck (a reader's snapshot holds the WAL, another
  // checkpoint runs): back off, twice as long each time up to maxRetryMs, rather than poll.
  delay = progress ? workerData.retryMs : Math.min(delay * 2, workerData.maxRetryMs);
  if (behind) setTimeout(step, delay);
  else running = false;
}
process.on('exit', close); // however the thread ends (asked to, or an uncaught error): the main thread waits for this
parentPort.on('message', (m) => {
  if (m === 'close') process.exit(0);
  if (running || !open()) return; // a step is already scheduled: it checkpoints this commit too
  running = true;
  step();
});
`;

/**
 * Copies the read model's WAL back into the database on a second thread (ADR 0016). With SQLite's own
 * automatic checkpoint, the committing thread does that copy (and its fsyncs) itself every 1,000 pages:
 * about a third of the time of a bulk insert with FTS5. Here the main thread only commits; a worker with its
 * own connection checkpoints behind it, so on a machine with a second core the copy runs alongside the next
 * transactions instead of inside them.
 *
 * Started lazily, on the first commit that leaves the WAL larger than `startBytes` (a process that reads, or
 * writes a little, never starts a thread). SQLite's automatic checkpoint stays on, at {@link BACKSTOP_PAGES}, so the
 * WAL stays bounded even when the worker cannot keep up; when it does keep up, that checkpoint finds
 * little left to copy. Nothing here is needed for correctness: a checkpoint that is cut short (the process
 * exits, the worker is terminated) is finished by the next connection, as after a crash.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  /** Shared with the worker: its connection's state (NONE, OPEN, CLOSED) and how many checkpoints it ran. */
  private readonly state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private failed = false;

  constructor(
    private readonly file: string,
    private readonly options: { startBytes?: number; retryMs?: number } = {},
  ) {}

  /** The main thread committed: checkpoint behind it (starting the worker when the WAL has grown). */
  committed(): void {
    if (this.failed) return;
    if (!this.worker) {
      const wal = fs.statSync(`${this.file}-wal`, { throwIfNoEntry: false });
      if (!wal || wal.size < (this.options.startBytes ?? START_BYTES)) return;
      this.start();
    }
    this.worker?.postMessage('go');
  }

  /** Whether the worker thread is running (it starts on the first commit past `startBytes` of WAL). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** How many checkpoints the worker has run (each `wal_checkpoint(PASSIVE)` call, finished). */
  get attempts(): number {
    return Atomics.load(this.state, ATTEMPTS);
  }

  /**
   * Stop the worker (before the database is closed, replaced or removed). Returns once the worker's
   * connection is closed; the promise is the thread's exit. Waiting matters: SQLite's last connection to a
   * database checkpoints on close and then deletes the `-wal` and `-shm` files by their names. A worker
   * closing after `reset` had removed the files and created new ones would delete the NEW database's WAL
   * and shared memory (its committed rows then invisible to other connections, and lost by a crash).
   * The wait is at most the checkpoint in progress (the WAL's backlog, bounded by the backstop).
   */
  stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return Promise.resolve();
    if (Atomics.compareExchange(this.state, CONNECTION, NONE, CLOSED) === OPEN) {
      worker.postMessage('close');
      Atomics.wait(this.state, CONNECTION, OPEN, STOP_WAIT_MS);
    }
    return worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  private start(): void {
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file: this.file, state: this.state.buffer, sqlite: require.resolve('better-sqlite3'), retryMs: this.options.retryMs ?? RETRY_MS, maxRetryMs: MAX_RETRY_MS },
      });
    } catch {
      this.failed = true; // no threads here: SQLite's own checkpoint does the work, as it always did
      return;
    }
    this.worker.on('error', () => this.disable());
    this.worker.on('message', (m: { type?: string }) => {
      if (m?.type === 'failed') this.disable();
    });
    // Last: adding a 'message' listener refs the worker's port again, and would keep the process alive.
    this.worker.unref();
  }

  private disable(): void {
    this.failed = true;
    void this.stop();
  }
}

/** Below this much WAL, SQLite's own checkpoint is cheap enough; a thread would cost more than it saves. */
const START_BYTES = 4 * 1024 * 1024;
/** How soon the worker tries again while the WAL is still ahead of it (or the checkpoint was busy). */
const RETRY_MS = 2;
/** The longest the worker waits between retries that copy nothing (while a reader holds the WAL back). */
const MAX_RETRY_MS = 1000;
/** SQLite's automatic checkpoint, kept as a backstop: the WAL grows to about this many pages at most. */
export const BACKSTOP_PAGES = 16_384;

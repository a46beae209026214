import type { ArtifactStore } from './ArtifactStore';

/**
 * A remote artifact target: a shared folder, an HTTP peer, an S3 prefix. It has exactly the ArtifactStore
 * shape (put-if-absent → created / identical / conflict, get, has, paged list after a cursor, delete), so
 * every adapter runs the same contract suite; the core owns verification and policy.
 */
export interface Transport extends ArtifactStore {
  /** The normalised target URL (used as the key of sync cursors and in messages). */
  readonly url: string;
  /** Release connections and timers. */
  close(): Promise<void>;
  /**
   * Called by sync once its exchange with this target is over (after the push). A peer that imports what it
   * receives (an HTTP `serve`) is asked to import now; dumb targets leave it out.
   */
  finish?(): Promise<unknown>;
}

export interface TransportOptions {
  /** Create the target if it does not exist (`sync --init`). */
  readonly create?: boolean;
  /** Bearer token for targets that take one. */
  readonly token?: string;
  /** Allow plain (unencrypted) http:// to a host that is not this machine's loopback (`--allow-insecure`). */
  readonly allowInsecure?: boolean;
}

/** Bound by transport plugins (many per container); the core picks one by URL scheme. */
export interface TransportFactory {
  /** URL schemes handled, without `:`; `file` also covers plain paths. */
  readonly schemes: readonly string[];
  create(url: string, options: TransportOptions): Promise<Transport>;
}

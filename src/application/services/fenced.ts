import type { ArtifactStore } from '../ports/ArtifactStore';
import type { Journal } from '../ports/Journal';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';

export interface Fence {
  /** Before a synchronous write: throws when the lock is lost or the work interrupted (or not held at all). */
  check(): void;
  /** Before an asynchronous write: the same, after renewing an overdue lease and letting the event loop breathe. */
  confirm(): Promise<void>;
  /** Before a read: like `confirm` while a mutation holds the lock; nothing for reads outside one. */
  touch(): Promise<void>;
}

type Methods<T> = readonly (keyof T & string)[];

interface FencedMethods<T> {
  /** Asynchronous writes: `confirm` first. */
  readonly writes?: Methods<T>;
  /** Asynchronous reads: `touch` first. */
  readonly reads?: Methods<T>;
  /** Synchronous writes: `check` first. */
  readonly sync?: Methods<T>;
}

/**
 * `target` behind the fence: its listed methods pass the fence first; everything else passes through. A
 * write after the lock is lost never reaches the adapter.
 */
export function fenced<T extends object>(target: T, fence: Fence, methods: FencedMethods<T>): T {
  const writes = new Set<PropertyKey>(methods.writes ?? []);
  const reads = new Set<PropertyKey>(methods.reads ?? []);
  const syncNames = new Set<PropertyKey>(methods.sync ?? []);
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (writes.has(prop) || reads.has(prop)) {
        const pass = writes.has(prop) ? () => fence.confirm() : () => fence.touch();
        return async (...args: unknown[]) => {
          await pass();
          return fn.apply(t, args);
        };
      }
      if (syncNames.has(prop)) {
        return (...args: unknown[]) => {
          fence.check();
          return fn.apply(t, args);
        };
      }
      return fn.bind(t);
    },
  });
}

const STORE: FencedMethods<ArtifactStore> = { writes: ['putIfAbsent', 'delete'], reads: ['get', 'has', 'list', 'origins'] };

/** The local store, journal, quarantine and read model, as the use cases see them: behind the fence. */
export function fenceLocal<D extends { store: ArtifactStore; journal: Journal; quarantine: Quarantine; readModel: ReadModel }>(deps: D, fence: Fence): D {
  return {
    ...deps,
    store: fenced(deps.store, fence, STORE),
    journal: fenced(deps.journal, fence, { writes: ['append', 'remove'], reads: ['read', 'streams'] }),
    quarantine: fenced(deps.quarantine, fence, { writes: ['put'], reads: ['list'] }),
    readModel: fenced(deps.readModel, fence, { sync: ['reset', 'transaction', 'setSyncCursor', 'setSyncCursorKey', 'reapplyUnknownMeta'] }),
  };
}

/** A sync target behind the fence: a process that lost the store's lock stops pushing too. `close` passes. */
export function fenceTransport(transport: Transport, fence: Fence): Transport {
  return fenced(transport, fence, STORE);
}

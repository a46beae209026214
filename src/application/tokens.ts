/**
 * Service identifiers for the container. Business code never asks the container for anything: only the
 * composition root (src/infrastructure/container) and plugin modules use these.
 */
export const TOKENS = {
  Codec: Symbol.for('cairn.Codec'),
  ArtifactStore: Symbol.for('cairn.ArtifactStore'),
  Journal: Symbol.for('cairn.Journal'),
  ReadModel: Symbol.for('cairn.ReadModel'),
  Clock: Symbol.for('cairn.Clock'),
  Random: Symbol.for('cairn.Random'),
  StoreContext: Symbol.for('cairn.StoreContext'),
  TransportFactory: Symbol.for('cairn.TransportFactory'),
  Quarantine: Symbol.for('cairn.Quarantine'),
  MetadataField: Symbol.for('cairn.MetadataField'),
  /** The store's lock (a lock plugin binds it) and the clock leases are measured with (never a test's fake clock by accident: see openCairn). */
  Lock: Symbol.for('cairn.Lock'),
  LockClock: Symbol.for('cairn.LockClock'),
  Cairn: Symbol.for('cairn.Cairn'),
} as const;

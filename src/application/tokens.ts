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
  Cairn: Symbol.for('cairn.Cairn'),
} as const;

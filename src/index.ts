/**
 * cairn — local-first, multi-machine sync of append-mostly data.
 *
 * Open a store with `openCairn({ home })` after creating it with `initHome`; extend it with plugins
 * (`definePlugin`, inversify ContainerModules built by `fromOptions`). Contract suites for plugin authors
 * live in `cairn/testing`.
 */
export * from './domain';
export { Cairn, DEFAULT_LOCK_TIMEOUT_MS, type CairnDeps, type StatusReport } from './application/Cairn';
export { EventBus } from './application/EventBus';
export { definePlugin, invalidPluginOptions, PluginRegistry, type CairnPlugin, type PluginKind } from './application/plugins';
export { TOKENS } from './application/tokens';
export type * from './application/ports';
export { describeHolder, LEASE_DEFAULTS, LeaseHandle, LeaseLock, leaseTimingProblem, lockPluginTiming } from './application/ports';
export type { AppendOptions, AppendResult } from './application/usecases/AppendEntries';
export type { ExportResult } from './application/usecases/ExportStore';
export type { EditRequest } from './application/usecases/EditMetadata';
export type { SyncResult } from './application/usecases/SyncWithTarget';
export type { ReplayResult } from './application/usecases/ReplayStore';
export { openCairn, type OpenOptions } from './infrastructure/container/openCairn';
export { BUILTIN_PLUGINS, createRegistry } from './infrastructure/container/builtinPlugins';
export { initHome, readHomeConfig, resolveHome, type HomeConfig } from './infrastructure/config/HomeConfig';
export { systemClock, systemLockClock, systemRandom } from './infrastructure/system';
export { SqliteReadModel } from './infrastructure/sqlite/SqliteReadModel';
export { fileStorePlugin, FileArtifactStore, FileJournal, FileLeaseStore, fileLockPlugin } from './plugins/file-store';
export { memoryStorePlugin, MemoryArtifactStore, MemoryJournal, MemoryLeaseStore, MemoryLockState, memoryLockPlugin } from './plugins/memory-store';
export { zstdPlugin } from './plugins/codec-zstd';
export { S3LeaseStore, s3LockPlugin, type S3LeaseStoreOptions, type S3LockOptions } from './plugins/s3-transport';
export { HttpTransport, httpTransportPlugin, parsePeerUrl, type HttpTransportOptions, type PeerEndpoint } from './plugins/http-transport';
export { DEFAULT_PEER_PORT, serveCairn, servePeer, type PeerEvent, type PeerServer, type PeerServerOptions } from './infrastructure/http';
export { RawPeerHost, type ListPage, type PeerHost } from './application/peer/PeerHost';
export type { ImportReport } from './application/usecases/ImportReceived';
export { zstdWasmPlugin } from './plugins/codec-zstd-wasm';

export { MemoryArtifactStore } from './MemoryArtifactStore';
export { MemoryJournal } from './MemoryJournal';
export { memoryStorePlugin } from './memoryStorePlugin';
export { MemoryQuarantine } from './MemoryQuarantine';
export { memoryTarget, MemoryTransport, memoryTransportPlugin } from './memoryTransportPlugin';
export { MemoryLeaseStore, MemoryLockState } from './MemoryLeaseStore';
export { memoryLockPlugin } from './memoryLockPlugin';

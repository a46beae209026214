export { MemoryArtifactStore } from './MemoryArtifactStore';
export { MemoryJournal } from './MemoryJournal';
export { memoryStorePlugin } from './memoryStorePlugin';

export { FileArtifactStore } from './FileArtifactStore';
export { FileJournal } from './FileJournal';
export { fileStorePlugin, type FileStoreOptions } from './fileStorePlugin';

export { FileArtifactStore } from './FileArtifactStore';
export { FileJournal } from './FileJournal';
export { fileStorePlugin, type FileStoreOptions } from './fileStorePlugin';
export { FileQuarantine } from './FileQuarantine';
export { FolderTransport } from './FolderTransport';
export { folderPath, folderTransportPlugin } from './folderTransportPlugin';
export { FileLeaseStore } from './FileLeaseStore';
export { fileLockPlugin, type FileLockOptions } from './fileLockPlugin';

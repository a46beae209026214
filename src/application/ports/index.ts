export * from './ArtifactStore';
export * from './Clock';
export * from './Codec';
export * from './Journal';
export * from './Progress';
export * from './ReadModel';
export * from './codecSupport';

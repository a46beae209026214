export { ensureConditionalWrites, PROBE_FOLDER } from './conditionalWrites';
export { createS3Client, unquoteIfMatch } from './createS3Client';
export { S3Transport } from './S3Transport';
export { s3TransportFactory, s3TransportPlugin } from './s3TransportPlugin';
export { checkEndpoint, isLoopback, resolveS3Settings, validateS3Options, type S3Options, type S3Settings } from './s3Settings';
export { parseS3Url, type S3Target } from './s3Target';
export { S3LeaseStore, type S3LeaseStoreOptions } from './S3LeaseStore';
export { s3LockPlugin, type S3LockOptions } from './s3LockPlugin';
export { LOCK_FOLDER } from './s3LockRecord';

/**
 * One taxonomy of errors with stable codes. Scripts match on `code`; people read `message`, which names
 * what was wrong and what to do about it.
 */
export const ERROR_CODES = [
  'USAGE',
  'INPUT_INVALID',
  'ORIGIN_ID_INVALID',
  'STREAM_ID_INVALID',
  'GLOBAL_ID_INVALID',
  'HLC_INVALID',
  'META_INVALID',
  'JSON_NOT_CANONICALIZABLE',
  'ARTIFACT_INVALID',
  'ARTIFACT_CONFLICT',
  'ARTIFACT_NAME_INVALID',
  'HASH_MISMATCH',
  'VERSION_UNSUPPORTED',
  'ENTRY_TOO_LARGE',
  'SEGMENT_TOO_LARGE',
  'DECOMPRESSED_TOO_LARGE',
  'CODEC_FAILED',
  'CODEC_UNSUPPORTED',
  'STORE_NOT_INITIALIZED',
  'STORE_CORRUPT',
  'STREAM_NOT_FOUND',
  'STREAM_KIND_MISMATCH',
  'PLUGIN_UNKNOWN',
  'PLUGIN_OPTIONS_INVALID',
  'PLUGIN_CONFLICT',
  'LOCK_HELD',
  'CLOCK_SKEW',
  'S3_CONDITIONAL_WRITES_UNSUPPORTED',
  'AUTH_FAILED',
  'FORBIDDEN',
  'TOO_LARGE',
  'INSECURE_TARGET',
  'TRANSPORT_FAILED',
  'LOCK_LOST',
  'INTERRUPTED',
  'IO_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class CairnError extends Error {
  override readonly name = 'CairnError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isCairnError(err: unknown, code?: ErrorCode): err is CairnError {
  return err instanceof CairnError && (code === undefined || err.code === code);
}

/**
 * Errors that stop an operation as a whole: the store's lock was lost, or the operation was interrupted
 * (Ctrl-C). Code that turns other errors into per-item outcomes (deferred, quarantined, a failed origin)
 * must rethrow these.
 */
export function isStopError(err: unknown): err is CairnError {
  return isCairnError(err, 'LOCK_LOST') || isCairnError(err, 'INTERRUPTED');
}

import { isCairnError } from '../../domain';

const STATUS: Readonly<Record<string, number>> = {
  USAGE: 400,
  INPUT_INVALID: 400,
  ARTIFACT_NAME_INVALID: 400,
  FORBIDDEN: 403,
  ARTIFACT_CONFLICT: 409,
  TOO_LARGE: 413,
  DECOMPRESSED_TOO_LARGE: 413,
  HASH_MISMATCH: 422,
  ARTIFACT_INVALID: 422,
  CODEC_FAILED: 422,
  CODEC_UNSUPPORTED: 422,
  HLC_INVALID: 422,
};

/** The status of a failed request, and what the client may be told (never a server-side detail on 5xx). */
export function errorStatus(err: unknown): { status: number; code: string; message: string } {
  const status = isCairnError(err) ? (STATUS[err.code] ?? 500) : 500;
  if (status === 500) return { status, code: 'INTERNAL', message: 'the peer failed to answer this request; its log has the details' };
  const e = err as { code: string; message: string };
  return { status, code: e.code, message: e.message };
}

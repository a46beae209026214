import { LIMITS, maxDecodedBytes } from '../limits';
import { isCompressed, parseArtifactKey, type ArtifactKind } from '../artifacts/artifactPath';

/**
 * The HTTP peer protocol's fixed points (ADR 0008), shared by the server and the client transport: the
 * versioned path prefix, the page cap of a listing, what a key may look like on the wire, and the largest
 * body one artifact can be.
 */
export const PEER_API = '/v1';
/** The most keys one `GET /v1/list` answers; a client asking for more pages on. */
export const PEER_LIST_MAX = 1000;

/** One segment of a store key: `[A-Za-z0-9._~-]`, not starting with a dot, at most 255 characters. */
const SEGMENT_RE = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,254}$/;

/**
 * Whether a key is `<a>/<b>/<c>` of safe segments: no empty, `.` or `..` segment, no dot file, no
 * backslash, no percent sign, nothing that needs escaping in a URL path. Every real artifact key is one.
 */
export function isSafeStoreKey(key: string): boolean {
  const parts = key.split('/');
  return parts.length === 3 && parts.every((p) => SEGMENT_RE.test(p));
}

/** Whether a listing prefix is `<a>/<b>/` of safe segments. */
export function isSafeStorePrefix(prefix: string): boolean {
  if (!prefix.endsWith('/')) return false;
  const parts = prefix.slice(0, -1).split('/');
  return parts.length === 2 && parts.every((p) => SEGMENT_RE.test(p));
}

/** zstd's worst-case expansion of incompressible input (ZSTD_COMPRESSBOUND), plus framing slack. */
function compressBound(bytes: number): number {
  return bytes + (bytes >> 8) + 64 * 1024;
}

/** The largest body an artifact of this kind can be on the wire (encoded), so a receiver can refuse more. */
export function maxWireBytes(kind: ArtifactKind): number {
  return isCompressed(kind) ? compressBound(maxDecodedBytes(kind)) : maxDecodedBytes(kind);
}

/** The largest body any artifact can be: the cap for keys that name no artifact kind. */
export const MAX_ARTIFACT_WIRE_BYTES = Math.max(maxWireBytes('blob'), maxWireBytes('manifest'), LIMITS.maxBlobBytes);

/** The body cap for a key: by the artifact kind it names, else the largest any artifact can be. */
export function maxWireBytesForKey(key: string): number {
  const parsed = parseArtifactKey(key);
  return parsed ? maxWireBytes(parsed.ref.kind) : MAX_ARTIFACT_WIRE_BYTES;
}

import { CairnError } from '../errors';
import { isContentHash, type ContentHash } from '../hash';
import { isOriginId, type OriginId } from '../ids';

/** The folders of one origin in a store, a shared folder or an S3 prefix. */
export const ARTIFACT_DIRS = ['blobs', 'segments', 'manifests', 'meta', 'checkpoints'] as const;
export type ArtifactDir = (typeof ARTIFACT_DIRS)[number];

export type ArtifactRef =
  | { readonly kind: 'segment'; readonly hash: ContentHash }
  | { readonly kind: 'manifest'; readonly hash: ContentHash }
  | { readonly kind: 'checkpoint'; readonly seq: number }
  | { readonly kind: 'meta'; readonly hlc: string; readonly hash: ContentHash }
  /**
   * A pack of an origin's metadata events, named by the HLC of its last event and `after`, the HLC of the
   * event before its first (`0` when it starts the chain): names alone tell whether packs are contiguous.
   */
  | { readonly kind: 'metaPack'; readonly hlc: string; readonly after: string; readonly hash: ContentHash }
  | { readonly kind: 'blob'; readonly hash: ContentHash };

export type ArtifactKind = ArtifactRef['kind'];

export const MAX_CHECKPOINT_SEQ = 9_999_999_999;
const SEQ_DIGITS = 10;
/**
 * Packs sit in `meta/` after every event (an HLC starts with a digit), so listing after `pack-` finds just
 * the packs, and listing events after a cursor reaches the packs only at its end.
 */
export const META_PACK_PREFIX = 'pack-';
/** The `after` of a pack that starts its origin's chain. */
export const CHAIN_START = '0';
/** Reserved for the metadata ledger: an HLC string form sorts like the clock and contains no `:`. */
const HLC_RE = /^[0-9a-z][0-9a-z._]{0,63}$/;

export function segmentRef(hash: ContentHash): ArtifactRef {
  return { kind: 'segment', hash };
}
export function manifestRef(hash: ContentHash): ArtifactRef {
  return { kind: 'manifest', hash };
}
export function checkpointRef(seq: number): ArtifactRef {
  return { kind: 'checkpoint', seq };
}
export function blobRefPath(hash: ContentHash): ArtifactRef {
  return { kind: 'blob', hash };
}

/** `dir/name` of an artifact inside its origin's folder. */
export function artifactPath(ref: ArtifactRef): string {
  switch (ref.kind) {
    case 'segment':
      return `segments/${ref.hash}.ndjson.zst`;
    case 'manifest':
      return `manifests/${ref.hash}.json.zst`;
    case 'checkpoint':
      return `checkpoints/${checkpointName(ref.seq)}`;
    case 'meta':
      return `meta/${ref.hlc}-${ref.hash}.json`;
    case 'metaPack':
      return `meta/${META_PACK_PREFIX}${ref.hlc}-${ref.after}-${ref.hash}.ndjson.zst`;
    case 'blob':
      return `blobs/${ref.hash}`;
  }
}

/** The key of an artifact in a store: `<origin>/<dir>/<name>`. */
export function artifactKey(origin: OriginId, ref: ArtifactRef): string {
  return `${origin}/${artifactPath(ref)}`;
}

export function checkpointName(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_CHECKPOINT_SEQ) {
    throw new CairnError('ARTIFACT_NAME_INVALID', `checkpoint seq ${seq} is out of range 1..${MAX_CHECKPOINT_SEQ}`);
  }
  return `cp-${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
}

/**
 * Parse `dir/name`. Returns null for names that are not artifacts (other tools' temp files, dot files);
 * callers ignore those.
 */
export function parseArtifactPath(path: string): ArtifactRef | null {
  const slash = path.indexOf('/');
  if (slash < 0 || path.indexOf('/', slash + 1) >= 0) return null;
  const dir = path.slice(0, slash);
  const name = path.slice(slash + 1);
  let m: RegExpExecArray | null;
  switch (dir) {
    case 'segments':
      m = /^([0-9a-f]{64})\.ndjson\.zst$/.exec(name);
      return m ? { kind: 'segment', hash: m[1] as ContentHash } : null;
    case 'manifests':
      m = /^([0-9a-f]{64})\.json\.zst$/.exec(name);
      return m ? { kind: 'manifest', hash: m[1] as ContentHash } : null;
    case 'checkpoints': {
      m = /^cp-(\d{10})\.json$/.exec(name);
      const seq = m ? Number(m[1]) : 0;
      return seq >= 1 ? { kind: 'checkpoint', seq } : null;
    }
    case 'meta': {
      m = /^pack-([^-]+)-([^-]+)-([0-9a-f]{64})\.ndjson\.zst$/.exec(name);
      if (m) return HLC_RE.test(m[1]!) && HLC_RE.test(m[2]!) ? { kind: 'metaPack', hlc: m[1]!, after: m[2]!, hash: m[3] as ContentHash } : null;
      if (name.startsWith(META_PACK_PREFIX)) return null;
      m = /^(.+)-([0-9a-f]{64})\.json$/.exec(name);
      return m && HLC_RE.test(m[1]!) ? { kind: 'meta', hlc: m[1]!, hash: m[2] as ContentHash } : null;
    }
    case 'blobs':
      return isContentHash(name) ? { kind: 'blob', hash: name } : null;
    default:
      return null;
  }
}

/** Parse `<origin>/<dir>/<name>`; null when it is not an artifact key. */
export function parseArtifactKey(key: string): { origin: OriginId; ref: ArtifactRef } | null {
  const slash = key.indexOf('/');
  if (slash < 0) return null;
  const origin = key.slice(0, slash);
  if (!isOriginId(origin)) return null;
  const ref = parseArtifactPath(key.slice(slash + 1));
  return ref ? { origin, ref } : null;
}

/** Whether the artifact's bytes are zstd-encoded on disk and on the wire. */
export function isCompressed(kind: ArtifactKind): boolean {
  return kind === 'segment' || kind === 'manifest' || kind === 'metaPack';
}

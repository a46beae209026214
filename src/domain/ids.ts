import { CairnError } from './errors';

/** One install. `<name>-<6 hex>` in practice; any `[a-z0-9-]{3,63}` without edge dashes, never `local`. */
export type OriginId = string & { readonly __brand: 'OriginId' };
/** A stream's id inside its origin. */
export type StreamId = string & { readonly __brand: 'StreamId' };
/** `<origin>~<streamId>`: a stream's id across the fleet. */
export type GlobalId = string & { readonly __brand: 'GlobalId' };

const ORIGIN_RE = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;
const STREAM_RE = /^[A-Za-z0-9._-]{1,128}$/;
const ORIGIN_NAME_MAX = 56;

export function isOriginId(value: string): value is OriginId {
  return ORIGIN_RE.test(value) && value !== 'local';
}

export function parseOriginId(value: string): OriginId {
  if (typeof value !== 'string' || !isOriginId(value)) {
    throw new CairnError(
      'ORIGIN_ID_INVALID',
      `origin id ${JSON.stringify(value)} is invalid: use 3-63 characters from a-z 0-9 and "-", ` +
        'not starting or ending with "-", and not "local"',
    );
  }
  return value;
}

export function isStreamId(value: string): value is StreamId {
  return STREAM_RE.test(value) && value !== '.' && value !== '..';
}

export function parseStreamId(value: string): StreamId {
  if (typeof value !== 'string' || !isStreamId(value)) {
    throw new CairnError(
      'STREAM_ID_INVALID',
      `stream id ${JSON.stringify(value)} is invalid: use 1-128 characters from A-Z a-z 0-9 . _ - ` +
        '(not "." or "..")',
    );
  }
  return value;
}

export function globalId(origin: OriginId, stream: StreamId): GlobalId {
  return `${origin}~${stream}` as GlobalId;
}

export function parseGlobalId(value: string): { origin: OriginId; stream: StreamId; gid: GlobalId } {
  const cut = typeof value === 'string' ? value.indexOf('~') : -1;
  const origin = cut > 0 ? value.slice(0, cut) : '';
  const stream = cut > 0 ? value.slice(cut + 1) : '';
  if (!isOriginId(origin) || !isStreamId(stream)) {
    throw new CairnError(
      'GLOBAL_ID_INVALID',
      `global stream id ${JSON.stringify(value)} is invalid: expected <origin>~<stream>, ` +
        'for example laptop-1a2b3c~notes',
    );
  }
  return { origin, stream, gid: value as GlobalId };
}

/**
 * Resolve a stream reference as typed by a user: a global id `<origin>~<id>`, or a bare id that means
 * this origin's stream.
 */
export function resolveStreamRef(ref: string, self: OriginId): { origin: OriginId; stream: StreamId; gid: GlobalId } {
  if (typeof ref === 'string' && ref.includes('~')) return parseGlobalId(ref);
  const stream = parseStreamId(ref);
  return { origin: self, stream, gid: globalId(self, stream) };
}

/** Turn a host name (or a name given to `init --name`) into an origin-id prefix. */
export function originNameFromHost(host: string): string {
  const cleaned = host
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ORIGIN_NAME_MAX)
    .replace(/-+$/g, '');
  return cleaned.length > 0 ? cleaned : 'cairn';
}

/** Build a fresh origin id from a name and 6 random hex digits (both passed in: the domain has no randomness). */
export function newOriginId(name: string, sixHex: string): OriginId {
  if (!/^[0-9a-f]{6}$/.test(sixHex)) {
    throw new CairnError('INTERNAL', `origin suffix must be 6 lowercase hex digits, got ${JSON.stringify(sixHex)}`);
  }
  return parseOriginId(`${originNameFromHost(name)}-${sixHex}`);
}

/** Validate the name given to `init --name`: the origin id is the name plus a random suffix. */
export function parseOriginName(name: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,54}[a-z0-9])?$/.test(name)) {
    throw new CairnError(
      'ORIGIN_ID_INVALID',
      `origin name ${JSON.stringify(name)} is invalid: use 1-56 characters from a-z 0-9 and "-", ` +
        'not starting or ending with "-" (cairn appends a random 6-hex suffix)',
    );
  }
  return name;
}

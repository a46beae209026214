import { CairnError, isLoopbackHost } from '../../domain';

/** A validated HTTP peer address. */
export interface PeerEndpoint {
  /** Normalised: `http(s)://host[:port][/base]`, no trailing slash. */
  readonly url: string;
  readonly protocol: 'http:' | 'https:';
  /** For node:http (IPv6 without brackets). */
  readonly hostname: string;
  readonly port: number;
  /** A path prefix in front of `/v1` (behind a reverse proxy), or ''. */
  readonly basePath: string;
}

/**
 * Parse a peer URL. Refused: other schemes; user-info (credentials in a URL end up in logs and shell history:
 * use a token); a query or a fragment (nothing the protocol reads, so a sign of a mistake); plain http to a
 * host other than loopback unless `allowInsecure` (the token and the data would cross the network in clear).
 */
export function parsePeerUrl(target: string, allowInsecure = false): PeerEndpoint {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    throw new CairnError('INPUT_INVALID', `${target} is not a URL: use http(s)://host:port`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CairnError('INPUT_INVALID', `${target} is not an http(s) URL`);
  const shown = `${u.protocol}//${u.host}`;
  if (u.username || u.password || /^[a-z]+:\/\/[^/?#]*@/i.test(target)) {
    throw new CairnError('INPUT_INVALID', `${shown}: a peer URL must not carry user info (credentials); pass --token or set CAIRN_TOKEN`);
  }
  if (u.search || u.hash || target.includes('?') || target.includes('#')) {
    throw new CairnError('INPUT_INVALID', `${shown}: a peer URL takes no query and no fragment; use http(s)://host:port`);
  }
  const basePath = u.pathname.replace(/\/+$/, '');
  if (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    throw new CairnError('INPUT_INVALID', `${shown}: the path ${JSON.stringify(u.pathname)} is not a plain prefix`);
  }
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname) && !allowInsecure) {
    throw new CairnError(
      'INSECURE_TARGET',
      `${shown} is plain http to another machine: the token and the data would cross the network unencrypted; ` +
        'use https, or pass --allow-insecure if the network is trusted',
    );
  }
  return {
    url: `${shown}${basePath}`,
    protocol: u.protocol,
    hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
    basePath,
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { CairnError } from '../../domain';

/** A usable bearer token: 16 to 1024 visible ASCII characters. */
export function checkToken(token: string, where: string): void {
  if (token.length < 16 || token.length > 1024 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new CairnError('INPUT_INVALID', `${where}: a token must be 16 to 1024 visible ASCII characters (no spaces); generate one with \`openssl rand -hex 32\``);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * A check of `Authorization: Bearer <token>` in constant time: both sides are hashed (SHA-256) first, so
 * the comparison takes the same time whatever the presented token's length and content. The scheme name is
 * case-insensitive (RFC 9110 §11.1); the token is compared exactly.
 */
export function bearerMatcher(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const m = /^bearer ([\x21-\x7e]{1,1024})$/i.exec(header ?? '');
    const presented = digest(m ? m[1]! : '');
    return timingSafeEqual(presented, expected) && m !== null;
  };
}

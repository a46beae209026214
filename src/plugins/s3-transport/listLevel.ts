import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CairnError } from '../../domain';
import { s3Failure } from './s3Errors';

export interface LevelListing {
  /** Full keys directly under the prefix, ascending. */
  readonly keys: string[];
  /** Full "folder" prefixes directly under the prefix (ending in `/`), ascending. */
  readonly prefixes: string[];
}

const PAGE = 1000;
const MAX_EMPTY_PAGES = 100;

/**
 * One level of a bucket under `prefix` (Delimiter `/`), after `startAfter`, until `limit` keys are
 * collected or the listing ends. The store is not trusted to page correctly: keys and prefixes must be
 * strictly increasing across pages, and a continuation token seen before (a cycle) is an error, not a loop.
 */
export async function listLevel(
  client: S3Client,
  bucket: string,
  prefix: string,
  where: string,
  options: { startAfter?: string; limit?: number; keep?: (key: string) => boolean } = {},
): Promise<LevelListing> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  const tokens = new Set<string>();
  let token: string | undefined;
  let lastKey = options.startAfter ?? '';
  let lastPrefix = '';
  let empty = 0;
  for (;;) {
    const wanted = options.limit === undefined ? PAGE : Math.min(PAGE, Math.max(1, options.limit - keys.length));
    let page;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          MaxKeys: wanted,
          ...(token ? { ContinuationToken: token } : options.startAfter ? { StartAfter: options.startAfter } : {}),
        }),
      );
    } catch (err) {
      throw s3Failure('list', where, err);
    }
    const got = (page.Contents ?? []).map((c) => c.Key ?? '');
    const dirs = (page.CommonPrefixes ?? []).map((p) => p.Prefix ?? '');
    for (const key of got) {
      if (!key.startsWith(prefix) || key <= lastKey) throw disorder(where, `key ${JSON.stringify(key)} after ${JSON.stringify(lastKey)}`);
      lastKey = key;
      if (!options.keep || options.keep(key)) keys.push(key);
    }
    for (const dir of dirs) {
      if (!dir.startsWith(prefix) || dir <= lastPrefix) throw disorder(where, `prefix ${JSON.stringify(dir)} after ${JSON.stringify(lastPrefix)}`);
      lastPrefix = dir;
      prefixes.push(dir);
    }
    if (options.limit !== undefined && keys.length >= options.limit) return { keys: keys.slice(0, options.limit), prefixes };
    if (!page.IsTruncated) return { keys, prefixes };
    const next = page.NextContinuationToken;
    if (!next) throw disorder(where, 'a truncated page without a continuation token');
    if (tokens.has(next)) throw disorder(where, `continuation token ${JSON.stringify(next.slice(0, 40))} came back (a cycle)`);
    tokens.add(next);
    token = next;
    empty = got.length + dirs.length === 0 ? empty + 1 : 0;
    if (empty > MAX_EMPTY_PAGES) throw disorder(where, `${MAX_EMPTY_PAGES} empty pages in a row`);
  }
}

function disorder(where: string, what: string): CairnError {
  return new CairnError('IO_FAILED', `listing ${where} is inconsistent (${what}); the store pages incorrectly, nothing was trusted from it — retry, or report the store's behaviour`);
}

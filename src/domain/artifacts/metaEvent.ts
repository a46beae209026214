/**
 * Reserved for the metadata ledger (a later format addition, still v1 framing): one metadata event is
 * `meta/<hlc>-<hash>.json`, canonical JSON `{v, hlc, origin, target, op, field, value}` with identity the
 * SHA-256 of its bytes. The name parser in artifactPath.ts already recognises the layout so stores and
 * transports relay such files today; this module will hold their schema.
 */
export const META_EVENT_FIELDS = ['v', 'hlc', 'origin', 'target', 'op', 'field', 'value'] as const;

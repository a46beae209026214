import {
  artifactKey,
  decodeMetaEvent,
  decodeMetaPack,
  encodeMetaPack,
  isCairnError,
  META_PACK_LIMITS,
  META_PACK_PREFIX,
  parseArtifactKey,
  CHAIN_START,
  type ArtifactRef,
  type ContentHash,
  type DecodedMetaPack,
  type MetaEvent,
  type OriginId,
} from '../../domain';
import type { ArtifactStore } from '../ports/ArtifactStore';
import type { ArtifactRepository } from './ArtifactRepository';

export type PackRef = Extract<ArtifactRef, { kind: 'metaPack' }>;
type ChainedEvent = { bytes: Uint8Array; hash: ContentHash; event: MetaEvent };

const PAGE = 1000;
/** The author packs its events once this many are not in a pack yet. */
export const PACK_THRESHOLD = 1024;

/** Pack refs of an origin in a store or target, oldest first (names sort by the HLC of the last event). */
export async function listPacks(store: Pick<ArtifactStore, 'list'>, origin: OriginId): Promise<PackRef[]> {
  const refs: PackRef[] = [];
  let after = `${origin}/meta/${META_PACK_PREFIX}`;
  for (;;) {
    const keys = await store.list(`${origin}/meta/`, { after, limit: PAGE });
    for (const key of keys) {
      const parsed = parseArtifactKey(key);
      if (parsed?.origin === origin && parsed.ref.kind === 'metaPack') refs.push(parsed.ref);
    }
    if (keys.length < PAGE) return refs;
    after = keys[keys.length - 1]!;
  }
}

/**
 * The HLC up to which packs cover an origin's chain without a gap from its start (by their names: each pack
 * names the HLC of the event before its first), or null when they cover nothing. A pack whose name claims a
 * reading beyond `horizon` (further ahead than the drift bound: its last event would be deferred, and it may
 * be forged) stops the run: events below it must still travel one by one.
 */
export function contiguousTo(packs: readonly PackRef[], horizon: string): string | null {
  let to: string | null = null;
  for (const ref of packs) {
    if (ref.after !== (to ?? CHAIN_START) || ref.hlc > horizon) break;
    to = ref.hlc;
  }
  return to;
}

/**
 * Metadata packs in the local store: reading them (verified, cached for one import) and writing this origin's
 * own. The author folds a contiguous run of its events (checked against the `prev` chain) once
 * PACK_THRESHOLD of them are unpacked; a gap or an event it cannot read stops the run, never the sync.
 */
export class MetaPacks {
  private readonly cache = new Map<string, DecodedMetaPack>();

  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly threshold: number = PACK_THRESHOLD,
  ) {}

  list(origin: OriginId): Promise<PackRef[]> {
    return listPacks({ list: (prefix, options) => this.artifacts.list(prefix, options?.after, options?.limit) }, origin);
  }

  /** A local pack, verified; null when absent or of a newer format (kept for an upgrade). */
  async read(origin: OriginId, ref: PackRef): Promise<DecodedMetaPack | null> {
    const key = artifactKey(origin, ref);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const bytes = await this.artifacts.readCanonical(origin, ref);
    if (!bytes) return null;
    let pack: DecodedMetaPack;
    try {
      pack = decodeMetaPack(bytes, { origin, hlc: ref.hlc, after: ref.after, hash: ref.hash });
    } catch (err) {
      if (isCairnError(err, 'VERSION_UNSUPPORTED')) return null;
      throw err;
    }
    if (this.cache.size > 8) this.cache.clear();
    this.cache.set(key, pack);
    return pack;
  }

  /** The canonical bytes of an event that only a local pack holds (its single file may be collected). */
  async findEvent(origin: OriginId, stem: string): Promise<Uint8Array | null> {
    for (const ref of await this.list(origin)) {
      if (`${ref.hlc}-~` < stem) continue; // every event of this pack is older
      const pack = await this.read(origin, ref);
      const hit = pack?.events.find((e) => e.stem === stem);
      if (hit) return hit.bytes;
    }
    return null;
  }

  /** The stem of the last event in the newest local pack of an origin, or null. */
  async newestPacked(origin: OriginId): Promise<string | null> {
    const newest = (await this.list(origin)).at(-1);
    if (!newest) return null;
    return (await this.read(origin, newest))?.header.last ?? null;
  }

  /** See `contiguousTo`, for the local packs of an origin. */
  async coveredTo(origin: OriginId, horizon: string): Promise<string | null> {
    return contiguousTo(await this.list(origin), horizon);
  }

  /** Fold this origin's unpacked events into packs; returns how many packs were written. */
  async packOwn(origin: OriginId): Promise<number> {
    const newest = (await this.list(origin)).at(-1);
    const prev = newest ? ((await this.read(origin, newest))?.header.last ?? null) : null;
    if (newest && !prev) return 0; // our newest pack is unreadable here: do not guess where the chain is
    let written = 0;
    let run: ChainedEvent[] = [];
    let runBytes = 0;
    for await (const next of this.chainAfter(origin, prev)) {
      if (run.length === META_PACK_LIMITS.maxEvents || runBytes + next.bytes.length + 512 > META_PACK_LIMITS.maxBytes) {
        await this.publishPack(origin, run);
        written++;
        run = [];
        runBytes = 0;
      }
      run.push(next);
      runBytes += next.bytes.length;
    }
    // A final partial run is packed only when it is large enough; the rest waits for more events.
    if (run.length >= this.threshold) {
      await this.publishPack(origin, run);
      written++;
    }
    return written;
  }

  private async publishPack(origin: OriginId, run: readonly ChainedEvent[]): Promise<void> {
    const pack = encodeMetaPack(origin, run);
    await this.artifacts.publish(origin, { kind: 'metaPack', hlc: pack.hlc, after: pack.after, hash: pack.hash }, pack.bytes);
  }

  /**
   * This origin's single events after the stem `prev` that continue its chain, in name order. It stops at a
   * gap in the chain or at an event it cannot read here (the run is packed up to it, never past it).
   */
  private async *chainAfter(origin: OriginId, prev: string | null): AsyncGenerator<ChainedEvent> {
    let after: string | undefined = prev ? `${origin}/meta/${prev.slice(0, prev.indexOf('-'))}-~` : undefined;
    for (;;) {
      const keys = await this.artifacts.list(`${origin}/meta/`, after, PAGE);
      for (const key of keys) {
        const parsed = parseArtifactKey(key);
        if (parsed?.ref.kind !== 'meta') continue; // packs sort last, other names are not ours
        const bytes = await this.artifacts.readCanonical(origin, parsed.ref);
        if (!bytes) return;
        let event: MetaEvent;
        try {
          event = decodeMetaEvent(bytes, { origin, hlc: parsed.ref.hlc, hash: parsed.ref.hash });
        } catch {
          return;
        }
        if ((event.prev ?? null) !== prev) return;
        yield { bytes, hash: parsed.ref.hash, event };
        prev = `${parsed.ref.hlc}-${parsed.ref.hash}`;
      }
      if (keys.length < PAGE) return;
      after = keys[keys.length - 1];
    }
  }

}

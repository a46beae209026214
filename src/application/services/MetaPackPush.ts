import { artifactKey, toIso, type OriginId } from '../../domain';
import type { Clock } from '../ports/Clock';
import type { Codec } from '../ports/Codec';
import type { Quarantine } from '../ports/Quarantine';
import type { ReadModel } from '../ports/ReadModel';
import type { Transport } from '../ports/Transport';
import type { ArtifactRepository } from './ArtifactRepository';
import { listPacks, type MetaPacks, type PackRef } from './MetaPacks';
import { checkPack, provesDamage, sameBytes } from './packCheck';
import type { ExchangeCounts } from './SyncCounts';

/** How often each target's copy of one pack per origin is read back and checked (ADR 0010). */
export const PACK_AUDIT_INTERVAL_MS = 15 * 60_000;

/**
 * Pushes an origin's packs to a target: copies the ones it lacks, and audits the ones it lists. A listed name
 * proves nothing about the bytes behind it (bit rot, a copy tool's truncation, a hostile writer), and a
 * pusher that trusts it never pushes the events the pack folds. So, at most once per interval for each
 * (target, origin), one listed pack is read back (rotating through them; the position is a sync cursor of the
 * read model) and, when it is damaged, replaced. Readers that find a damaged pack remove it (MetaExchange),
 * which makes it missing here, so a pack someone needs is healed at the next push of whoever holds it; the
 * audit is the backstop for packs nobody reads.
 */
export class MetaPackPush {
  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly readModel: ReadModel,
    private readonly quarantine: Quarantine,
    private readonly clock: Clock,
    private readonly packs: MetaPacks,
    private readonly codec: Codec,
    private readonly auditEveryMs: number = PACK_AUDIT_INTERVAL_MS,
  ) {}

  /**
   * Copy the packs the target lacks (verified first: never relay damage) and audit one when due; returns the
   * packs of ours the target now has. Only those count as covering events: a pack name on the target that we
   * do not hold may be forged (anyone can write an origin's folder of a shared target), and trusting it would
   * stop the author pushing its own real events.
   */
  async push(target: Transport, origin: OriginId, counts: ExchangeCounts): Promise<PackRef[]> {
    const local = await this.packs.list(origin);
    if (local.length === 0) return [];
    const listed = new Set((await listPacks(target, origin)).map((r) => r.hash));
    const audit = this.dueAudit(target.url, origin, local.filter((r) => listed.has(r.hash)));
    const result: PackRef[] = [];
    for (const ref of local) {
      const present = ref === audit ? await this.audit(target, origin, ref, counts) : listed.has(ref.hash) || (await this.copy(target, origin, ref, null, counts));
      if (present) result.push(ref);
    }
    return result; // local packs are listed oldest first
  }

  /**
   * The listed pack to audit now, if the last audit at this target is older than the interval (or the clock
   * went back): the next one after the last audited, in name order, wrapping around.
   */
  private dueAudit(url: string, origin: OriginId, listed: readonly PackRef[]): PackRef | null {
    if (listed.length === 0) return null;
    const name = `${origin}/meta-audit`;
    const saved = this.readModel.syncCursorKey(url, name); // `<ms> <key of the last pack audited>`
    const cut = saved?.indexOf(' ') ?? -1;
    const at = cut > 0 ? Number(saved!.slice(0, cut)) : NaN;
    const last = cut > 0 ? saved!.slice(cut + 1) : '';
    const now = this.clock.now();
    if (Number.isFinite(at) && now >= at && now - at < this.auditEveryMs) return null;
    const next = listed.find((r) => artifactKey(origin, r) > last) ?? listed[0]!;
    this.readModel.setSyncCursorKey(url, name, `${now} ${artifactKey(origin, next)}`);
    return next;
  }

  /** Read back the target's copy: our bytes, or another valid encoding of them, stay; damage is replaced. */
  private async audit(target: Transport, origin: OriginId, ref: PackRef, counts: ExchangeCounts): Promise<boolean> {
    const theirs = await target.get(artifactKey(origin, ref));
    if (!theirs) return this.copy(target, origin, ref, null, counts); // removed since the listing
    const ours = await this.artifacts.readRaw(origin, ref);
    if (ours && sameBytes(ours, theirs)) return true;
    return this.copy(target, origin, ref, theirs, counts);
  }

  /**
   * Put our copy of a pack at the target. `found`: bytes the target holds under its name, when known. A valid
   * copy there in another encoding (or of a newer format) is present; damage is read again and replaced only
   * when the second read returns the same bytes (a copy that changed meanwhile is judged afresh, never removed).
   */
  private async copy(target: Transport, origin: OriginId, ref: PackRef, found: Uint8Array | null, counts: ExchangeCounts): Promise<boolean> {
    const key = artifactKey(origin, ref);
    const raw = await this.artifacts.readRaw(origin, ref);
    if (!raw || !(await this.soundHere(origin, ref, key, raw, counts))) return false;
    if (!found) {
      const outcome = await target.putIfAbsent(key, raw);
      if (outcome !== 'conflict') return this.counted(outcome, raw, counts);
      found = await target.get(key);
      if (!found) return this.counted(await target.putIfAbsent(key, raw), raw, counts);
    }
    if ((await checkPack(this.codec, origin, ref, found)).ok) return true;
    const again = await target.get(key);
    if (again && !sameBytes(again, found)) return (await checkPack(this.codec, origin, ref, again)).ok;
    if (again) await target.delete(key); // damaged twice alike: replace it with ours (the same content)
    return this.counted(await target.putIfAbsent(key, raw), raw, counts);
  }

  /**
   * Our copy verifies (never relay damage); a damaged one is set aside here and not counted as held. One this
   * codec cannot read (beyond its limits) is kept, neither relayed nor counted: it may be valid.
   */
  private async soundHere(origin: OriginId, ref: PackRef, key: string, raw: Uint8Array, counts: ExchangeCounts): Promise<boolean> {
    const check = await checkPack(this.codec, origin, ref, raw);
    if (check.ok) return true;
    if (!provesDamage(check.error)) return false;
    await this.quarantine.put({ source: 'local', key, code: check.error.code, reason: check.error.message, at: toIso(this.clock.now()) }, raw);
    await this.artifacts.evict(origin, ref);
    counts.quarantined++;
    return false;
  }

  private counted(outcome: 'created' | 'identical' | 'conflict', raw: Uint8Array, counts: ExchangeCounts): boolean {
    if (outcome === 'created') {
      counts.pushed++;
      counts.bytesPushed += raw.length;
    }
    return outcome !== 'conflict';
  }
}

import {
  BUILTIN_FIELDS,
  BUILTIN_OPS,
  builtinValue,
  CairnError,
  canonicalize,
  encodeMetaEvent,

  resolveStreamRef,
  type Json,
  type MetaTarget,
  type OriginId,
} from '../../domain';
import type { EventBus } from '../EventBus';
import type { MetadataField } from '../ports/MetadataField';
import type { ReadModel } from '../ports/ReadModel';
import type { ArtifactRepository } from '../services/ArtifactRepository';
import type { HlcClock } from '../services/HlcClock';

export interface EditRequest {
  readonly op: string;
  readonly stream: string;
  /** For entry ops (`pin`, `unpin`). */
  readonly ordinal?: number;
  /** For `set`: the custom field. */
  readonly field?: string;
  /** For `rename` (the title) and `set`. */
  readonly value?: Json;
}

/** Defaults of registers nobody has edited: an edit to the default changes nothing. */
const DEFAULTS: Readonly<Record<string, Json>> = { starred: false, pinned: false, trashed: false, purged: false, title: null };

/**
 * One metadata edit: the next HLC reading, the event written durably as an artifact, and only then applied to
 * the register and read model. An edit that changes nothing emits nothing (`{event: null}`).
 */
export class EditMetadata {
  constructor(
    private readonly origin: OriginId,
    private readonly artifacts: ArtifactRepository,
    private readonly readModel: ReadModel,
    private readonly bus: EventBus,
    private readonly hlc: HlcClock,
    private readonly fields: readonly MetadataField[],
    private readonly ownTail: () => Promise<string | null>,
  ) {}

  /** The name stem of this origin's newest event (each event names it as `prev`). */
  private tail: string | null | undefined;

  async execute(req: EditRequest): Promise<{ event: string | null }> {
    const ref = resolveStreamRef(req.stream, this.origin);
    const stream = this.readModel.getStream(ref.gid);
    if (!stream) throw new CairnError('STREAM_NOT_FOUND', `no stream ${ref.gid} here: list streams with \`cairn streams --all\``);
    const { field, value, entry } = this.interpret(req);
    let target: MetaTarget = { stream: ref.gid };
    if (entry) {
      const ordinal = req.ordinal;
      if (ordinal === undefined || !Number.isSafeInteger(ordinal) || ordinal < 0 || ordinal >= stream.entries) {
        throw new CairnError('INPUT_INVALID', `${req.op} needs an entry ordinal of ${ref.gid} (0..${stream.entries - 1}), got ${JSON.stringify(req.ordinal)}`);
      }
      target = { stream: ref.gid, ordinal };
    }
    const current = this.readModel.register(ref.gid, target.ordinal ?? null, field);
    if (canonicalize(current?.value ?? DEFAULTS[field] ?? null) === canonicalize(value)) return { event: null };
    const hlc = await this.hlc.next();
    if (this.tail === undefined) this.tail = await this.ownTail();
    const encoded = encodeMetaEvent({
      hlc,
      origin: this.origin,
      target,
      op: req.op,
      field,
      value,
      ...(current ? { base: current.hash } : {}),
      ...(this.tail ? { prev: this.tail } : {}),
    });
    // Durable first: if this write fails, nothing visible changes; once it succeeds, the edit is never lost.
    await this.artifacts.publish(this.origin, { kind: 'meta', hlc, hash: encoded.hash }, encoded.bytes);
    this.tail = `${hlc}-${encoded.hash}`;
    this.bus.publish({ type: 'MetaAccepted', origin: this.origin, hash: encoded.hash, event: encoded.event });
    return { event: hlc };
  }

  private interpret(req: EditRequest): { field: string; value: Json; entry: boolean } {
    const builtin = BUILTIN_OPS[req.op];
    if (builtin) return { field: builtin.field, value: builtinValue(req.op, req.value), entry: builtin.entry };
    if (req.op !== 'set') throw new CairnError('META_INVALID', `unknown metadata op "${req.op}"; use ${[...Object.keys(BUILTIN_OPS), 'set'].join(', ')}`);
    const name = req.field ?? '';
    if (BUILTIN_FIELDS.has(name)) throw new CairnError('META_INVALID', `field "${name}" is built in: use its own op (rename, star, pin, trash, purge)`);
    const spec = this.fields.find((f) => f.name === name);
    if (!spec) throw new CairnError('META_INVALID', `no plugin registered a metadata field "${name}"; register one with a validator first`);
    const why = spec.validate(req.value ?? null);
    if (why !== null) throw new CairnError('META_INVALID', `bad value for field "${name}": ${why}`);
    return { field: name, value: req.value ?? null, entry: false };
  }
}

import type { ContentHash } from './hash';
import type { GlobalId, OriginId, StreamId } from './ids';
import type { Checkpoint } from './artifacts/checkpoint';
import type { MetaEvent } from './artifacts/metaEvent';
import type { Entry } from './artifacts/entry';
import type { Manifest, StreamHeader } from './artifacts/manifest';

/**
 * What the store accepted. Every write (a journal append, or an artifact published locally or imported)
 * becomes one of these; projections fold them into the read model. Events carry verified, decoded content,
 * so a projection never touches the store.
 */
export type DomainEvent =
  | EntriesAppended
  | SegmentAccepted
  | ManifestAccepted
  | CheckpointAccepted
  | BlobAccepted
  | MetaAccepted
  | MetaBatchAccepted;

/**
 * Metadata events of one origin imported together (a pack, a page of single events), in name order:
 * projections apply them as one unit, so a 100,000-event ledger is not 100,000 database transactions.
 */
export interface MetaBatchAccepted {
  readonly type: 'MetaBatchAccepted';
  readonly origin: OriginId;
  readonly events: readonly { readonly hash: ContentHash; readonly event: MetaEvent }[];
}

/** A metadata event the store accepted (written locally, or imported and verified). */
export interface MetaAccepted {
  readonly type: 'MetaAccepted';
  /** The author. */
  readonly origin: OriginId;
  readonly hash: ContentHash;
  readonly event: MetaEvent;
}

/** Entries acknowledged into the local journal (durable, not yet sealed into a segment). */
export interface EntriesAppended {
  readonly type: 'EntriesAppended';
  readonly origin: OriginId;
  readonly stream: StreamId;
  readonly gid: GlobalId;
  readonly header: StreamHeader;
  readonly entries: readonly Entry[];
  /** Each entry's body as canonical JSON, in order, when the writer has it (projections then skip encoding it). */
  readonly texts?: readonly string[];
  /** Each entry's {@link searchText}, in order, when the writer has it (projections then skip walking the body). */
  readonly searchTexts?: readonly string[];
}

export interface SegmentAccepted {
  readonly type: 'SegmentAccepted';
  readonly origin: OriginId;
  readonly stream: StreamId;
  readonly gid: GlobalId;
  readonly hash: ContentHash;
  readonly header: StreamHeader;
  readonly entries: readonly Entry[];
  /** Each entry's body as canonical JSON, in order, when the reader has it (projections then skip encoding it). */
  readonly texts?: readonly string[];
  /** Each entry's {@link searchText}, in order, when the reader has it (projections then skip walking the body). */
  readonly searchTexts?: readonly string[];
}

export interface ManifestAccepted {
  readonly type: 'ManifestAccepted';
  readonly origin: OriginId;
  readonly stream: StreamId;
  readonly gid: GlobalId;
  readonly hash: ContentHash;
  readonly manifest: Manifest;
}

export interface CheckpointAccepted {
  readonly type: 'CheckpointAccepted';
  readonly origin: OriginId;
  readonly hash: ContentHash;
  readonly checkpoint: Checkpoint;
}

export interface BlobAccepted {
  readonly type: 'BlobAccepted';
  readonly origin: OriginId;
  readonly hash: ContentHash;
  readonly size: number;
}

import type { Json } from '../../domain';

/**
 * A custom metadata field a plugin registers (kind `metadata`, bound under TOKENS.MetadataField). `set`
 * edits it; its validator decides which values are allowed. Events for a field no plugin registered are
 * kept and relayed, and applied once one does.
 */
export interface MetadataField {
  readonly name: string;
  /** Null when the value is fine, else why it is not (one line). */
  validate(value: Json): string | null;
}

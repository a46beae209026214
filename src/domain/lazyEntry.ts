import type { Json } from './json';

/** Where a {@link LazyEntry} gets its body: parsed from the `index`-th canonical text, on first access. */
export interface BodySource {
  body(index: number): Json;
}

/**
 * An entry whose `body` is an own, enumerable property (spread, `Object.keys` and JSON see it as on any entry)
 * backed by one shared getter, so instances keep V8's fast shape: an object literal with its own getter
 * closure does not, and costs about 40 ms per 20,000 entries more in export.
 */
export class LazyEntry {
  static readonly #body: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: LazyEntry): Json {
      return LazyEntry.#parse(this);
    },
  };

  static #parse(entry: LazyEntry): Json {
    if (entry.#parsed === undefined) entry.#parsed = entry.#texts.body(entry.#index);
    return entry.#parsed;
  }

  /** Defined in the constructor as the shared getter. */
  declare readonly body: Json;
  readonly #texts: BodySource;
  readonly #index: number;
  #parsed: Json | undefined;

  constructor(
    readonly ordinal: number,
    readonly ts: string,
    texts: BodySource,
    index: number,
  ) {
    this.#texts = texts;
    this.#index = index;
    Object.defineProperty(this, 'body', LazyEntry.#body);
  }
}

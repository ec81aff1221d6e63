import { findCatalogEntry, LEGACY_ALIASES, type CatalogEntry } from '../catalog/catalog.js';
import { canonicalModelName } from '../ollama/names.js';

/** A client's model name after grammar check, canonical spelling and legacy aliases. */
export interface ResolvedName {
  name: string;
  /** The legacy spelling the client used, when it was an alias. */
  alias?: string;
  /** A sentence for the client when the alias is not an exact equivalent. */
  note?: string;
  entry: CatalogEntry | undefined;
}

/** Throws INVALID_MODEL_NAME before anything else looks at the name. */
export function resolveModelName(input: unknown): ResolvedName {
  const canonical = canonicalModelName(input);
  const alias = LEGACY_ALIASES[canonical];
  if (alias) {
    return {
      name: alias.target,
      alias: canonical,
      ...(alias.note ? { note: alias.note } : {}),
      entry: findCatalogEntry(alias.target),
    };
  }
  return { name: canonical, entry: findCatalogEntry(canonical) };
}

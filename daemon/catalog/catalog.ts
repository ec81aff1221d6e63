import { CATALOG_SEEDS } from './models.js';
import type { CatalogEntry } from './types.js';

export type { ArchitectureFacts, Capability, CatalogEntry, Purpose } from './types.js';

function freeze(entry: CatalogEntry): CatalogEntry {
  Object.freeze(entry.capabilities);
  Object.freeze(entry.architecture);
  return Object.freeze(entry);
}

export const CATALOG: readonly CatalogEntry[] = Object.freeze(CATALOG_SEEDS.map(freeze));

/** Fits a 6–8 GB GPU with room for one photo, sees composition and light well, and loads quickly. */
export const DEFAULT_MODEL = 'gemma3:4b';

/**
 * Tags the old Python system wrote into settings and sidecars. Ollama never published `-instruct`
 * tags for these: its plain tags already are the instruction-tuned models.
 */
export const LEGACY_ALIASES: Readonly<Record<string, { target: string; note?: string }>> = Object.freeze({
  'llama3.1:8b-instruct': { target: 'llama3.1:8b' },
  'llama3.2:3b-instruct': { target: 'llama3.2:3b' },
  'llama3.2:1b-instruct': { target: 'llama3.2:1b' },
  'mixtral:8x7b-instruct': { target: 'mixtral:8x7b' },
  'llama3.1:70b-instruct': { target: 'llama3.1:70b' },
  'llama3.1:13b-instruct': {
    target: 'gemma3:12b',
    note:
      'Llama 3.1 was only released as 8B, 70B and 405B, so there is no 13B; we use gemma3:12b instead, the real model ' +
      'closest in size (12.2B) that can also see photos, rather than llama3.2-vision:11b, whose language model is the 8B.',
  },
});

const BY_NAME: ReadonlyMap<string, CatalogEntry> = new Map(CATALOG.map((entry) => [entry.name, entry]));

export function findCatalogEntry(canonicalName: string): CatalogEntry | undefined {
  return BY_NAME.get(canonicalName);
}

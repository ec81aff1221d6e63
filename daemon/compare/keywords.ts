import { normaliseKeyword } from '../evaluation/keyword-key.js';

/** Keyword agreement between the photographer and a model, compared by normaliseKeyword. */
export interface KeywordAgreement {
  /** Share of the photographer's keywords the model also gave. */
  recall: number;
  /** Shared keywords over all keywords either gave. */
  jaccard: number;
}

/** One photo's agreement; undefined when the photographer gave no keywords for it (nothing to agree with). */
export function keywordAgreement(photographer: readonly string[], model: readonly string[]): KeywordAgreement | undefined {
  const truth = new Set(photographer.map(normaliseKeyword).filter((k) => k !== ''));
  if (truth.size === 0) return undefined;
  const said = new Set(model.map(normaliseKeyword).filter((k) => k !== ''));
  let shared = 0;
  for (const k of said) if (truth.has(k)) shared++;
  return { recall: shared / truth.size, jaccard: shared / (truth.size + said.size - shared) };
}

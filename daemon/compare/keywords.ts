/**
 * Keyword agreement. Lightroom keywords are typed by hand, so "Sunsets", "sunset" and " SUNSET "
 * are the same keyword: compare after lower-casing, trimming, collapsing spaces and reducing
 * regular English plurals to their singular.
 */
export function normaliseKeyword(keyword: string): string {
  const k = keyword.normalize('NFC').toLowerCase().trim().replace(/\s+/g, ' ');
  return k.split(' ').map(singular).join(' ');
}

/**
 * Regular plurals only: a wrong guess on an irregular word costs one match, a wrong rule would merge
 * words. "-ies" cannot say whether its singular ends in "y" (cities) or "ie" (movies, selfies), so
 * both singulars fold to "y": the result is a key to compare by, not a word to show.
 */
function singular(word: string): string {
  if (/[^aeiou]ie$/.test(word)) return `${word.slice(0, -2)}y`;
  if (word.length <= 3) return word;
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ch|sh|ss|x|z)es$/.test(word)) return word.slice(0, -2);
  if (/(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

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

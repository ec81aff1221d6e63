/**
 * Lightroom keywords are typed by hand, so "Sunsets", "sunset" and " SUNSET "
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

import { mapKeywords, VocabularyIndex, vocabularyHash } from '../../daemon/evaluation/vocabulary.js';
import type { VocabularyEntry } from '../../daemon/schemas/evaluate.js';
import { fmt, medianMs, row } from './measure.js';

const SIZE = 5000;
const RUNS = 2000;

/** A catalog's keyword tree as the plugin sends it: names with diacritics and plurals, a synonym for every third. */
function vocabulary(): VocabularyEntry[] {
  return Array.from({ length: SIZE }, (_, i) => ({
    name: `${i % 7 === 0 ? 'Café' : 'Keyword'} ${i} subjects`,
    ...(i % 3 === 0 ? { synonyms: [`alias ${i}`, `other name ${i}`] } : {}),
  }));
}

/** One answer of ten keywords: found by name, by plural, by synonym, by diacritics, new ones and junk. */
const ANSWER = ['keyword 4999 subject', 'Alias 2997', 'cafe 14 subject', 'moss', 'stone lantern', 'photo', '42', 'KEYWORD 12 SUBJECTS', 'maple', 'roof'];

/**
 * Mapping one model answer onto a 5,000-keyword vocabulary (issue 16: at most 5 ms), beside the
 * same ten words looked up in a plain Map by their lower case; and the per-vocabulary costs the
 * daemon pays once (indexing) and per request (hashing the tree to find its index).
 */
export async function benchVocabulary(): Promise<string[]> {
  const entries = vocabulary();
  const plain = new Map(entries.map((e) => [e.name.toLowerCase(), e.name]));
  let index: VocabularyIndex | undefined;
  const buildMs = await medianMs(5, () => (index = new VocabularyIndex(entries)));
  const built = index as VocabularyIndex;
  const check = mapKeywords(ANSWER, built, 'prefer', 10);
  if (check.keywords.length !== 8) throw new Error(`bench vocabulary: unexpected mapping ${JSON.stringify(check)}`);
  const mapMs = await medianMs(RUNS, () => mapKeywords(ANSWER, built, 'prefer', 10));
  const baselineMs = await medianMs(RUNS, () => ANSWER.map((k) => plain.get(k.toLowerCase())));
  const hashMs = await medianMs(50, () => vocabularyHash(entries));
  return [
    row(`map one answer (10 keywords, ${SIZE.toLocaleString('en-US')} in vocabulary)`, fmt(mapMs * 1000, 'µs'), fmt(baselineMs * 1000, 'µs'), mapMs / baselineMs),
    `  index a ${SIZE.toLocaleString('en-US')}-keyword vocabulary (once per vocabulary): ${fmt(buildMs, 'ms')}; hash it to find its index (per request): ${fmt(hashMs, 'ms')}`,
  ];
}

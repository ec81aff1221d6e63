import { createHash } from 'node:crypto';
import { normaliseKeyword } from './keyword-key.js';
import type { KeywordPolicy, VocabularyEntry } from '../schemas/evaluate.js';

/**
 * The photographer's vocabulary: the model's keywords mapped onto the catalog's own, so that
 * "kyōto", "Temples" and a synonym land on the keyword the photographer already has, spelled as
 * they spell it. Matching ignores case, diacritics, punctuation and regular English plurals.
 */

/** The parent keyword the plugin files new keywords under: never a keyword of its own. */
export const PARENT_KEYWORD = 'Junmai AI';

/**
 * Words that say nothing about what is in a photo, compared as match keys (so plurals count too).
 * A keyword of the photographer's own vocabulary is theirs to keep, even when it is in this list.
 */
export const STOP_WORDS: readonly string[] = [
  'photo', 'photograph', 'photography', 'image', 'picture', 'pic', 'img', 'shot', 'snapshot', 'jpeg', 'jpg',
  'keyword', 'tag', 'untitled', 'unknown', 'none', 'n a', 'misc', 'other', 'stock photo',
];

/** Letters Unicode does not decompose into a base letter and a mark. */
const LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ı: 'i', þ: 'th' };
const SPACELESS_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/** The key two keywords are the same by: "Kyōto" and "kyoto", "Temples" and "temple", "Rock-climbing" and "rock climbing". */
export function matchKey(keyword: string): string {
  const folded = keyword
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłıþ]/g, (c) => LETTERS[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
  return normaliseKeyword(folded);
}

const STOP_KEYS = new Set([...STOP_WORDS, PARENT_KEYWORD].map(matchKey));
const PARENT_KEY = matchKey(PARENT_KEYWORD);

/** Why a keyword of the model's is no keyword: a number alone, one character, the parent keyword, a word of the stop list, or nothing at all. */
export function isJunk(key: string): boolean {
  if (key === '' || STOP_KEYS.has(key)) return true;
  if (/^[\p{N} ]+$/u.test(key)) return true;
  return [...key].length === 1 && !SPACELESS_SCRIPTS.test(key);
}

/** One vocabulary, looked up by match key. */
export class VocabularyIndex {
  private readonly byKey = new Map<string, string>();
  /** Every name once, as sent. */
  readonly names: readonly string[];

  /**
   * A name's own key wins over a synonym's, and a synonym's over the last part of a path name
   * ("Places|Japan|Kyoto" is also found as "Kyoto"); among equals, the first entry wins.
   */
  constructor(entries: readonly VocabularyEntry[]) {
    const add = (text: string, name: string) => {
      const key = matchKey(text);
      if (key !== '' && !this.byKey.has(key)) this.byKey.set(key, name);
    };
    for (const e of entries) add(e.name, e.name);
    for (const e of entries) for (const s of e.synonyms ?? []) add(s, e.name);
    // Stryker disable next-line ConditionalExpression: a name without "|" is its own last part, added above already.
    for (const e of entries) if (e.name.includes('|')) add(e.name.slice(e.name.lastIndexOf('|') + 1), e.name);
    this.names = [...new Set(entries.map((e) => e.name))];
  }

  /** The vocabulary's name for a match key, if it has one. */
  nameFor(key: string): string | undefined {
    return this.byKey.get(key);
  }
}

/**
 * The largest vocabulary `only` puts into the JSON schema as an `enum`. llama.cpp turns an enum into
 * one alternation of every name (common/json-schema-to-grammar.cpp), and its sampler keeps a
 * grammar stack per alternative still possible, checking each candidate token against every stack
 * (src/llama-grammar.cpp, llama_grammar_reject_candidates); Ollama's own sampler falls back to
 * that full check whenever the likeliest token is refused (sample/samplers.go). Thousands of names
 * multiply the work of every token at the start of a keyword by thousands. Before 0.30 (which hands the schema
 * to llama-server, llm/llama_server.go), Ollama also wrote the grammar into a buffer of at most
 * 1 MB and cut it off silently beyond (llama/llama.go SchemaToGrammar, llama/sampling_ext.cpp). And the list is written into the
 * prompt too, where it spends context: 6,000 characters are about 1,500-2,000 tokens of the 8,192.
 * OpenAI's structured outputs stop at 500 enum values for the same reasons. Larger vocabularies
 * are enforced by mapping and dropping instead.
 */
export const ENUM_MAX_NAMES = 500;
export const ENUM_MAX_CHARS = 6000;

/** The names to constrain the model to, when they fit Ollama's grammar; undefined when mapping must do. */
export function keywordEnum(index: VocabularyIndex): readonly string[] | undefined {
  const names = index.names;
  if (names.length === 0 || names.length > ENUM_MAX_NAMES) return undefined;
  let chars = 0;
  for (const n of names) chars += n.length;
  return chars <= ENUM_MAX_CHARS ? names : undefined;
}

export interface MappedKeywords {
  keywords: string[];
  /** Keywords not in the vocabulary (all of them without one); none under `only`. */
  keywords_new: string[];
}

/**
 * The model's keywords as the photographer gets them: under `prefer` each is replaced by the
 * vocabulary's name for it where there is one, under `only` those without one are dropped, under
 * `free` they are left as the model wrote them. Then junk goes, duplicates (by match key, after
 * mapping) go, and at most `max` are kept, in the model's order.
 */
export function mapKeywords(said: readonly string[], index: VocabularyIndex | undefined, policy: KeywordPolicy, max: number): MappedKeywords {
  const keywords: string[] = [];
  const fresh: string[] = [];
  const seen = new Set<string>();
  for (const word of said) {
    if (keywords.length >= max) break;
    const key = matchKey(word);
    if (key === PARENT_KEY) continue;
    const known = index?.nameFor(key);
    if (known === undefined && (policy === 'only' || isJunk(key))) continue;
    const out = known !== undefined && policy !== 'free' ? known : word.trim();
    const outKey = known !== undefined && policy !== 'free' ? matchKey(known) : key;
    if (seen.has(outKey)) continue;
    seen.add(outKey);
    keywords.push(out);
    if (known === undefined) fresh.push(out);
  }
  return { keywords, keywords_new: fresh };
}

/** A vocabulary's identity: the same tree sent again has the same hash. */
export function vocabularyHash(entries: readonly VocabularyEntry[]): string {
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/**
 * Indexes by vocabulary hash, the most recently used kept: the plugin sends the same keyword tree
 * with every photo of a run, and it is indexed once.
 */
export class VocabularyIndexCache {
  private readonly indexes = new Map<string, VocabularyIndex>();
  private builds = 0;

  constructor(private readonly capacity = 8) {}

  /** Indexes built so far: a vocabulary sent again is not indexed again. */
  get built(): number {
    return this.builds;
  }

  get(entries: readonly VocabularyEntry[], hash = vocabularyHash(entries)): VocabularyIndex {
    let index = this.indexes.get(hash);
    if (index) {
      this.indexes.delete(hash);
    } else {
      index = new VocabularyIndex(entries);
      this.builds++;
      if (this.indexes.size >= this.capacity) this.indexes.delete(this.indexes.keys().next().value as string);
    }
    this.indexes.set(hash, index);
    return index;
  }
}

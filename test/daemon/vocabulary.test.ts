import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { answerSchema, ollamaFormat } from '../../daemon/evaluation/schema.js';
import { buildMessages, cacheKey, type PromptSpec } from '../../daemon/evaluation/prompt.js';
import {
  ENUM_MAX_CHARS, ENUM_MAX_NAMES, isJunk, keywordEnum, mapKeywords, matchKey, VocabularyIndex, VocabularyIndexCache, vocabularyHash,
} from '../../daemon/evaluation/vocabulary.js';
import type { VocabularyEntry } from '../../daemon/schemas/evaluate.js';

const VOCABULARY: VocabularyEntry[] = [
  { name: 'Kyoto' },
  { name: 'Temples' },
  { name: 'autumn leaves', synonyms: ['fall foliage', 'Momiji'] },
  { name: 'Café' },
  { name: 'Places|Japan|Nara' },
  { name: 'Street Photography' },
  { name: '2024' },
];
const index = new VocabularyIndex(VOCABULARY);
const prefer = (said: string[], max = 10) => mapKeywords(said, index, 'prefer', max);

describe('matching the model\'s keywords to the photographer\'s', () => {
  it.each([
    ['case', 'KYOTO', 'Kyoto'],
    ['a plural', 'temple', 'Temples'],
    ['a plural the other way', 'Kyotos', 'Kyoto'],
    ['a synonym', 'Fall Foliage', 'autumn leaves'],
    ['a synonym with diacritics folded', 'momiji', 'autumn leaves'],
    ['diacritics', 'cafe', 'Café'],
    ['diacritics in the model\'s word', 'Kyōto', 'Kyoto'],
    ['punctuation and spacing', ' street-photography ', 'Street Photography'],
    ['the last part of a path name', 'nara', 'Places|Japan|Nara'],
  ])('maps by %s: "%s" is "%s", spelled as the vocabulary sends it', (_fold, said, name) => {
    expect(prefer([said])).toEqual({ keywords: [name], keywords_new: [] });
  });

  it('lets new keywords through under prefer, marked new, in the model\'s order', () => {
    expect(prefer(['moss', 'kyoto', 'stone lantern'])).toEqual({ keywords: ['moss', 'Kyoto', 'stone lantern'], keywords_new: ['moss', 'stone lantern'] });
  });

  it('drops every keyword outside the vocabulary under only', () => {
    expect(mapKeywords(['moss', 'kyoto', 'TEMPLE', 'stone lantern'], index, 'only', 10)).toEqual({ keywords: ['Kyoto', 'Temples'], keywords_new: [] });
  });

  it('leaves the model\'s words alone under free, and marks those the vocabulary lacks', () => {
    expect(mapKeywords(['kyoto', 'moss'], index, 'free', 10)).toEqual({ keywords: ['kyoto', 'moss'], keywords_new: ['moss'] });
    expect(mapKeywords(['kyoto', 'moss'], undefined, 'free', 10)).toEqual({ keywords: ['kyoto', 'moss'], keywords_new: ['kyoto', 'moss'] });
  });

  it('drops junk: numbers alone, single characters, the parent keyword, the stop list, punctuation alone', () => {
    expect(prefer(['42', '3.5', 'a', 'Junmai AI', 'junmai-ai', 'Photo', 'images', 'Picture', 'snapshot', '!!', 'moss'])).toEqual({ keywords: ['moss'], keywords_new: ['moss'] });
    // The photographer's own keyword is theirs even when it looks like junk; a single CJK character is a word.
    expect(prefer(['2024', '山'])).toEqual({ keywords: ['2024', '山'], keywords_new: ['山'] });
    expect(isJunk(matchKey('photographs'))).toBe(true);
  });

  it('drops the parent keyword even when the vocabulary has it', () => {
    const withParent = new VocabularyIndex([{ name: 'Junmai AI' }, { name: 'moss' }]);
    expect(mapKeywords(['Junmai AI', 'moss'], withParent, 'prefer', 10)).toEqual({ keywords: ['moss'], keywords_new: [] });
  });

  it('deduplicates after mapping: two words for one keyword give it once', () => {
    expect(prefer(['temple', 'Temples', 'fall foliage', 'momiji', 'moss', 'Mosses'])).toEqual({ keywords: ['Temples', 'autumn leaves', 'moss'], keywords_new: ['moss'] });
  });

  it('caps at max_keywords after junk and duplicates are gone', () => {
    expect(prefer(['photo', 'kyoto', 'Kyoto', 'moss', 'lantern', 'gate'], 3)).toEqual({ keywords: ['Kyoto', 'moss', 'lantern'], keywords_new: ['moss', 'lantern'] });
  });

  it('prefers a name to a synonym, and a synonym to the last part of a path, whatever their order', () => {
    const v = new VocabularyIndex([{ name: 'Places|Deer' }, { name: 'Wildlife', synonyms: ['deer'] }, { name: 'deer' }]);
    expect(v.nameFor(matchKey('Deer'))).toBe('deer');
    const w = new VocabularyIndex([{ name: 'Places|Deer' }, { name: 'Wildlife', synonyms: ['deer'] }]);
    expect(w.nameFor(matchKey('Deer'))).toBe('Wildlife');
  });

  it('maps one answer against a 5,000-keyword vocabulary by one lookup per keyword, the index built once per vocabulary', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ name: `Keyword ${i} subject`, synonyms: [`synonym ${i}`] }));
    const cache = new VocabularyIndexCache();
    const first = cache.get(big);
    const again = cache.get(structuredClone(big));
    expect(again).toBe(first);
    expect(cache.built).toBe(1);
    let lookups = 0;
    const counting = Object.create(first, { nameFor: { value: (k: string) => (lookups++, first.nameFor(k)) } }) as VocabularyIndex;
    const said = ['keyword 4999 subjects', 'Synonym 17', 'moss', 'lantern', 'photo', 'gate', 'keyword 12 subject', 'maple', 'path', 'roof'];
    expect(mapKeywords(said, counting, 'prefer', 10)).toEqual({
      keywords: ['Keyword 4999 subject', 'Keyword 17 subject', 'moss', 'lantern', 'gate', 'Keyword 12 subject', 'maple', 'path', 'roof'],
      keywords_new: ['moss', 'lantern', 'gate', 'maple', 'path', 'roof'],
    });
    expect(lookups).toBe(said.length);
    expect(cache.get([{ name: 'other' }])).not.toBe(first);
    expect(cache.built).toBe(2);
  });
});

describe('only, enforced by Ollama\'s grammar when the vocabulary is small enough', () => {
  const spec = (keywordEnum?: readonly string[]): PromptSpec => ({
    fields: ['keywords', 'caption'], maxKeywords: 5, language: 'English', temperature: undefined, seed: undefined, ...(keywordEnum ? { keywordEnum } : {}),
  });

  it('puts the names into the JSON schema as an enum and into the prompt', () => {
    const names = keywordEnum(index) as readonly string[];
    expect(names).toEqual(VOCABULARY.map((v) => v.name));
    const schema = answerSchema(spec(names));
    const keywords = (ollamaFormat(schema).properties as Record<string, { items: { enum: string[] } }>).keywords;
    // zod lists number-like names first; the grammar's alternation does not care about order.
    expect({ ...keywords, items: { ...keywords?.items, enum: [...(keywords?.items.enum ?? [])].sort() } }).toEqual({
      type: 'array', maxItems: 5, items: { type: 'string', enum: [...names].sort() }, description: expect.any(String),
    });
    expect(schema.safeParse({ keywords: ['Kyoto'], caption: 'x' }).success).toBe(true);
    expect(schema.safeParse({ keywords: ['kyoto'], caption: 'x' }).success).toBe(false);
    expect(buildMessages(spec(names), schema, Buffer.from('AAAA'))[1]?.content).toContain('Choose keywords only from this list: Kyoto; Temples; autumn leaves; Café; Places|Japan|Nara; Street Photography; 2024.');
  });

  it(`keeps the enum to ${ENUM_MAX_NAMES} names and ${ENUM_MAX_CHARS} characters; beyond, mapping enforces it`, () => {
    const names = (n: number, len: number) => new VocabularyIndex(Array.from({ length: n }, (_, i) => ({ name: `${i}`.padStart(len, 'k') })));
    expect(keywordEnum(names(ENUM_MAX_NAMES, 12))?.length).toBe(ENUM_MAX_NAMES);
    expect(keywordEnum(names(ENUM_MAX_NAMES + 1, 4))).toBeUndefined();
    expect(keywordEnum(names(ENUM_MAX_CHARS / 20, 20))?.length).toBe(ENUM_MAX_CHARS / 20);
    expect(keywordEnum(names(ENUM_MAX_CHARS / 20 + 1, 20))).toBeUndefined();
    expect(keywordEnum(new VocabularyIndex([]))).toBeUndefined();
  });

  it('asks a different question, so a different cache key, for a different enum; the same without one', () => {
    const a = cacheKey('img', 'sha256:d', spec(['Kyoto']));
    expect(cacheKey('img', 'sha256:d', spec(['Kyoto', 'Nara']))).not.toBe(a);
    expect(cacheKey('img', 'sha256:d', spec(['Kyoto']))).toBe(a);
    // Without an enum the key is the one the daemon always used, so earlier cached answers still count.
    const before = { v: 1, fields: ['caption', 'keywords'], maxKeywords: 5, language: 'english', temperature: null, seed: null };
    expect(cacheKey('img', 'sha256:d', spec())).toBe(createHash('sha256').update(`img\nsha256:d\n${JSON.stringify(before)}`).digest('hex'));
    expect(vocabularyHash(VOCABULARY)).toBe(vocabularyHash(structuredClone(VOCABULARY)));
  });
});

import { describe, expect, it } from 'vitest';
import { normaliseKeyword } from '../../daemon/evaluation/keyword-key.js';
import { isJunk, keywordEnum, mapKeywords, matchKey, VocabularyIndex, VocabularyIndexCache, vocabularyHash } from '../../daemon/evaluation/vocabulary.js';

// The folding and the lists behind the vocabulary, word by word.

describe('match keys', () => {
  it.each([
    ['Straße', 'strasse'], ['Æbleskiver', 'aebleskiver'], ['Œuvre', 'oeuvre'], ['Øresund', 'oresund'], ['Đà Lạt', 'da lat'],
    ['Ðorð', 'dord'], ['Łódź', 'lodz'], ['Dıyarbakır', 'diyarbakir'], ['Þingvellir', 'thingvellir'],
    ['ﬁeld', 'field'], ['Rock-climbing!', 'rock climbing'], ['  Sea   Stacks ', 'sea stack'], ['Ñandú', 'nandu'],
  ])('folds %j to %j', (word, key) => {
    expect(matchKey(word)).toBe(key);
  });

  it.each([
    ['cities', 'city'], ['movies', 'movy'], ['movie', 'movy'], ['pie', 'py'], ['toys', 'toy'], ['boxes', 'box'], ['churches', 'church'],
    ['dishes', 'dish'], ['glasses', 'glass'], ['waltzes', 'waltz'], ['cactus', 'cactus'], ['iris', 'iris'], ['grass', 'grass'],
    ['lens', 'len'], ['gas', 'gas'], ['ties', 'ty'], ['shoes', 'shoe'], ['bee', 'bee'], ['canoes', 'canoe'], ['Café', 'café'],
  ])('takes %j as %j', (word, key) => {
    expect(normaliseKeyword(word)).toBe(key);
  });
});

describe('junk', () => {
  it.each([
    'photo', 'Photographs', 'photography', 'Images', 'pictures', 'pic', 'IMG', 'shots', 'snapshot', 'JPEG', 'jpg', 'keywords', 'tags',
    'Untitled', 'unknown', 'none', 'N/A', 'misc.', 'other', 'Stock Photos', 'junmai ai', '42', '3.5', '1 2 3', 'x', '!!', '',
  ])('%j is junk', (word) => {
    expect(isJunk(matchKey(word))).toBe(true);
  });

  it.each(['山', 'ひ', 'カ', '한', 'ก', 'route 66', '66 route', 'ox', 'photo booth', 'tagine'])('%j is a keyword', (word) => {
    expect(isJunk(matchKey(word))).toBe(false);
  });
});

describe('vocabulary index', () => {
  it('gives no name to a key nothing folds to, and lists each name once', () => {
    const v = new VocabularyIndex([{ name: '???' }, { name: 'Kyoto' }, { name: 'Kyoto', synonyms: ['Miyako'] }, { name: 'A|B|Pagoda' }]);
    expect(v.nameFor('')).toBeUndefined();
    expect(mapKeywords(['!!', '…', 'pagodas', 'miyako'], v, 'prefer', 10)).toEqual({ keywords: ['A|B|Pagoda', 'Kyoto'], keywords_new: [] });
    expect(v.names).toEqual(['???', 'Kyoto', 'A|B|Pagoda']);
    expect(keywordEnum(v)).toEqual(['???', 'Kyoto', 'A|B|Pagoda']);
    expect(v.nameFor('b')).toBeUndefined();
  });

  it('keeps two words under free when only a synonym joins them, trimmed, and drops the second spelling of one word', () => {
    const v = new VocabularyIndex([{ name: 'autumn leaves', synonyms: ['fall foliage'] }]);
    expect(mapKeywords([' fall foliage ', 'Autumn Leaves', 'autumn-leaves', ' moss '], v, 'free', 10)).toEqual({
      keywords: ['fall foliage', 'Autumn Leaves', 'moss'], keywords_new: ['moss'],
    });
    expect(mapKeywords([' moss ', 'kyoto'], undefined, 'prefer', 1)).toEqual({ keywords: ['moss'], keywords_new: ['moss'] });
    expect(mapKeywords(['moss'], v, 'prefer', 0)).toEqual({ keywords: [], keywords_new: [] });
  });
});

describe('index cache', () => {
  it('keeps the most recently used, building each vocabulary once while it is kept', () => {
    const cache = new VocabularyIndexCache(2);
    const a = [{ name: 'a' }];
    const b = [{ name: 'b' }];
    const c = [{ name: 'c' }];
    const ia = cache.get(a);
    cache.get(b);
    expect(cache.get(a)).toBe(ia);
    expect(cache.built).toBe(2);
    cache.get(c);
    expect(cache.built).toBe(3);
    // b was the least recently used: a is still there, b is built again.
    expect(cache.get(a)).toBe(ia);
    expect(cache.built).toBe(3);
    cache.get(b);
    expect(cache.built).toBe(4);
    // c went for b; a, used last before b, stays.
    expect(cache.get(a)).toBe(ia);
    expect(cache.built).toBe(4);
  });

  it('looks an index up by the hash given', () => {
    const cache = new VocabularyIndexCache();
    const first = cache.get([{ name: 'a' }], 'h');
    expect(cache.get([{ name: 'b' }], 'h')).toBe(first);
    expect(cache.built).toBe(1);
  });

  it('hashes a vocabulary by its content as 64 hex digits', () => {
    expect(vocabularyHash([{ name: 'a' }])).toMatch(/^[0-9a-f]{64}$/);
    expect(vocabularyHash([{ name: 'a' }])).not.toBe(vocabularyHash([{ name: 'b' }]));
    expect(vocabularyHash([{ name: 'a', synonyms: ['x'] }])).not.toBe(vocabularyHash([{ name: 'a' }]));
  });
});

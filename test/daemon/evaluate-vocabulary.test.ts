import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENUM_MAX_NAMES } from '../../daemon/evaluation/vocabulary.js';
import { perceivedSubjects } from '../emulator/index.js';
import type { GenerateInput } from '../emulator/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';

const MODEL = 'gemma3:4b';
const SUBJECTS = ['sunset', 'portrait', 'harbor', 'mountain', 'street', 'forest', 'studio', 'festival', 'window', 'meadow'];
/** The photographer's spelling of what the emulated model sees: capitalised plurals. */
const spelled = (s: string) => `${s[0]?.toUpperCase()}${s.slice(1)}s`;

const VOCABULARY = [
  { name: 'Kyoto' },
  { name: 'Temples' },
  { name: 'autumn leaves', synonyms: ['fall foliage'] },
  { name: 'Café' },
];

let t: TestDaemon;
let dir: string;
let seed = 5000;

function photo(): { path: string; base64: string } {
  const bytes = tinyJpeg(++seed);
  const path = join(dir, `v${seed}.jpg`);
  writeFileSync(path, bytes);
  return { path, base64: bytes.toString('base64') };
}

const evaluate = (body: Record<string, unknown>) => t.req('POST', '/api/evaluate', { body: { model: MODEL, fields: ['keywords'], ...body } });
const lastChat = () => t.emu.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { format: { properties: { keywords: { items: Record<string, unknown> } } }; messages: { content: string }[] };
const says = (keywords: string[]) => t.emu.configure({ responder: (i: GenerateInput) => (i.images.length > 0 ? JSON.stringify({ keywords }) : undefined) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-vocabulary-'));
  t = await startTestDaemon({ installed: [MODEL], emulator: { eyes: { [MODEL]: {} } } });
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => t.emu.configure({ responder: () => undefined }));

describe('POST /api/evaluate with the photographer\'s vocabulary', () => {
  it('prefer (the default with a vocabulary): maps onto the names as sent, marks the new ones, drops junk', async () => {
    says(['KYŌTO', 'temple', 'photo', '2024', 'a', 'Junmai AI', 'Moss', 'fall foliage', 'mosses', 'cafe']);
    const r = await evaluate({ image_path: photo().path, vocabulary: VOCABULARY });
    expect(r.status).toBe(200);
    expect(r.body.result).toEqual({ keywords: ['Kyoto', 'Temples', 'Moss', 'autumn leaves', 'Café'], keywords_new: ['Moss'] });
    // prefer never constrains the model: the vocabulary is not in the question.
    expect(lastChat().format.properties.keywords.items).toEqual({ type: 'string', minLength: 1, maxLength: 40 });
    expect(lastChat().messages[1]?.content).not.toContain('Choose keywords only');
  });

  it('free (the default without one): the model\'s words, junk dropped, every keyword new', async () => {
    says(['harbour', 'Photos', '7', 'boats', 'Boat']);
    const r = await evaluate({ image_path: photo().path });
    expect(r.body.result).toEqual({ keywords: ['harbour', 'boats'], keywords_new: ['harbour', 'boats'] });
    const withVocabulary = await evaluate({ image_path: photo().path, vocabulary: [{ name: 'Harbor' }], options: { keyword_policy: 'free' } });
    expect(withVocabulary.body.result).toEqual({ keywords: ['harbour', 'boats'], keywords_new: ['harbour', 'boats'] });
  });

  it('only, small vocabulary: Ollama is sent an enum of the names and the list, and the model can answer nothing else', async () => {
    const vocabulary = [...SUBJECTS.map((s) => ({ name: spelled(s) })), ...VOCABULARY];
    const p = photo();
    const r = await evaluate({ image_path: p.path, vocabulary, options: { keyword_policy: 'only' } });
    expect(r.status).toBe(200);
    expect(r.body.result).toEqual({ keywords: perceivedSubjects(p.base64).map(spelled), keywords_new: [] });
    const sent = lastChat();
    expect([...(sent.format.properties.keywords.items.enum as string[])].sort()).toEqual(vocabulary.map((v) => v.name).sort());
    expect(sent.messages[1]?.content).toContain(`Choose keywords only from this list: ${vocabulary.map((v) => v.name).join('; ')}.`);
  });

  it(`only, more than ${ENUM_MAX_NAMES} names: no enum (too large for Ollama's grammar); keywords outside the vocabulary are dropped`, async () => {
    const vocabulary = [...VOCABULARY, ...Array.from({ length: ENUM_MAX_NAMES }, (_, i) => ({ name: `Place ${i}` }))];
    says(['kyoto', 'moss', 'place 7', 'stone lantern', 'Temples']);
    const r = await evaluate({ image_path: photo().path, vocabulary, options: { keyword_policy: 'only' } });
    expect(r.body.result).toEqual({ keywords: ['Kyoto', 'Place 7', 'Temples'], keywords_new: [] });
    expect(lastChat().format.properties.keywords.items).toEqual({ type: 'string', minLength: 1, maxLength: 40 });
  });

  it('refuses only without a vocabulary, and a vocabulary over 20,000 keywords, with 400 INVALID_REQUEST', async () => {
    const only = await evaluate({ image_path: photo().path, options: { keyword_policy: 'only' } });
    expect(only.status).toBe(400);
    expect(only.body).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(only.body.error).toContain('options.keyword_policy is "only", which needs a vocabulary: send the catalog\'s keywords as vocabulary.');
    const big = await evaluate({ image_path: photo().path, vocabulary: Array.from({ length: 20_001 }, (_, i) => ({ name: `k${i}` })) });
    expect(big.status).toBe(400);
    expect(big.body.error).toContain('vocabulary must have at most 20000 items.');
  });

  it('never answers a new vocabulary with an old mapping: the cache holds the model\'s words and maps on the way out', async () => {
    says(['harbor', 'boats']);
    const p = photo();
    const first = await evaluate({ image_path: p.path, vocabulary: [{ name: 'Harbour', synonyms: ['harbor'] }] });
    expect(first.body).toMatchObject({ cache_hit: false, result: { keywords: ['Harbour', 'boats'], keywords_new: ['boats'] } });
    says(['something else entirely']);
    const second = await evaluate({ image_path: p.path, vocabulary: [{ name: 'Boats' }, { name: 'Ports', synonyms: ['harbor'] }] });
    expect(second.body).toMatchObject({ cache_hit: true, result: { keywords: ['Ports', 'Boats'], keywords_new: [] } });
    const none = await evaluate({ image_path: p.path });
    expect(none.body).toMatchObject({ cache_hit: true, result: { keywords: ['harbor', 'boats'], keywords_new: ['harbor', 'boats'] } });
  });

  it('asks again when only\'s enum differs: the list is part of the question', async () => {
    const p = photo();
    const ask = (names: string[]) => evaluate({ image_path: p.path, vocabulary: names.map((name) => ({ name })), options: { keyword_policy: 'only' } });
    expect((await ask(SUBJECTS.map(spelled))).body.cache_hit).toBe(false);
    expect((await ask(SUBJECTS.map(spelled))).body.cache_hit).toBe(true);
    expect((await ask(SUBJECTS.map(spelled).slice(1))).body.cache_hit).toBe(false);
  });

  it('indexes a vocabulary sent with every photo once', async () => {
    const vocabulary = Array.from({ length: 5000 }, (_, i) => ({ name: `Keyword ${i}`, synonyms: [`kw ${i}`] }));
    const built = t.daemon.evaluation.vocabularies.built;
    says(['kw 12', 'keyword 4999']);
    for (let i = 0; i < 3; i++) {
      const r = await evaluate({ image_path: photo().path, vocabulary });
      expect(r.body.result).toEqual({ keywords: ['Keyword 12', 'Keyword 4999'], keywords_new: [] });
    }
    expect(t.daemon.evaluation.vocabularies.built).toBe(built + 1);
  });
});

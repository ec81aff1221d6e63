import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListResponse, ModelView } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b', 'moondream:1.8b'] });
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
});
afterAll(async () => t.close());

const names = (models: { name: string }[]) => models.map((m) => m.name);

describe('GET /api/model/list', () => {
  it('lists the whole catalog with the old fields, parseable by the shared schema', async () => {
    const r = await t.req('GET', '/api/model/list');
    expect(r.status).toBe(200);
    const body = ListResponse.parse(r.body);
    expect(body.count).toBe(body.models.length);
    expect(names(body.models)).toEqual(expect.arrayContaining(['llama3.2:1b', 'llama3.2:3b', 'llama3.1:8b', 'mixtral:8x7b', 'llama3.1:70b', 'gemma3:4b', 'gemma3:12b', 'gemma3:27b', 'qwen2.5vl:7b', 'llama3.2-vision:11b', 'llava:7b', 'minicpm-v:8b', 'moondream:1.8b']));
    const gemma = body.models.find((m) => m.name === 'gemma3:4b') as ModelView;
    expect(gemma).toMatchObject({ installed: true, vision: true, source: 'catalog', usage_count: 0, is_current: false });
    expect(gemma.digest).toMatch(/^[0-9a-f]{12,64}$|^sha256:/);
    expect(body.models.find((m) => m.name === 'gemma3:12b')?.installed).toBe(false);
  });

  it('filters by purpose, max_vram, installed_only and capability', async () => {
    const speed = (await t.req('GET', '/api/model/list?purpose=speed')).body;
    expect(speed.models.length).toBeGreaterThan(0);
    expect(speed.models.every((m: ModelView) => m.purpose === 'speed')).toBe(true);

    const small = (await t.req('GET', '/api/model/list?max_vram=6')).body;
    expect(small.models.length).toBeGreaterThan(0);
    expect(small.models.every((m: ModelView) => (m.min_vram_gb ?? 99) <= 6)).toBe(true);
    expect(names(small.models)).not.toContain('llama3.1:70b');

    const installed = (await t.req('GET', '/api/model/list?installed_only=true')).body;
    expect(names(installed.models).sort()).toEqual(['gemma3:4b', 'llama3.1:8b', 'moondream:1.8b']);

    const vision = (await t.req('GET', '/api/model/list?capability=vision&installed_only=1')).body;
    expect(names(vision.models).sort()).toEqual(['gemma3:4b', 'moondream:1.8b']);
  });

  it.each([
    ['purpose=fastest', /purpose/],
    ['max_vram=lots', /max_vram/],
    ['max_vram=-1', /max_vram/],
    ['installed_only=maybe', /installed_only/],
    ['capability=telepathy', /capability/],
  ])('refuses ?%s with 400 INVALID_REQUEST naming the field', async (query, field) => {
    const r = await t.req('GET', `/api/model/list?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
    expect(r.body.error).toMatch(field);
  });
});

describe('GET /api/model/installed and /info', () => {
  it('lists installed models', async () => {
    const r = await t.req('GET', '/api/model/installed');
    expect(r.status).toBe(200);
    expect(names(r.body.models).sort()).toEqual(['gemma3:4b', 'llama3.1:8b', 'moondream:1.8b']);
  });

  it('describes a model by name, with or without :latest, in any case', async () => {
    const r = await t.req('GET', '/api/model/info/Gemma3:4B');
    expect(r.status).toBe(200);
    expect(r.body.model).toMatchObject({ name: 'gemma3:4b', installed: true, vision: true, min_ollama_version: '0.6.0' });
    expect(r.body.model.capabilities).toContain('vision');
    expect(r.body.model.context_length).toBeGreaterThan(0);
  });

  it('resolves the legacy names as aliases', async () => {
    const r = await t.req('GET', '/api/model/info/llama3.1:8b-instruct');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ alias: 'llama3.1:8b-instruct', model: { name: 'llama3.1:8b' } });
    const old13b = await t.req('GET', '/api/model/info/llama3.1:13b-instruct');
    expect(old13b.status).toBe(200);
    expect(old13b.body.note).toMatch(/13B/);
    expect(old13b.body.model.name).not.toBe('llama3.1:13b-instruct');
  });

  it('answers 404 MODEL_NOT_FOUND for unknown models and 400 for invalid names', async () => {
    const unknown = await t.req('GET', '/api/model/info/no-such-model:7b');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, code: 'MODEL_NOT_FOUND' });
    const traversal = await t.req('GET', '/api/model/info/..%2F..%2Fetc%2Fpasswd');
    expect(traversal.status).toBe(400);
    expect(traversal.body.code).toBe('INVALID_MODEL_NAME');
  });
});

describe('switching', () => {
  it('starts with no current model, switches to an installed one and says so', async () => {
    const before = await t.req('GET', '/api/model/current');
    expect(before.body).toMatchObject({ success: true, current_model: null, model: null });
    const r = await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, current_model: 'gemma3:4b', previous_model: null });
    expect(r.body.warning).toBeUndefined();
    const after = await t.req('GET', '/api/model/current');
    expect(after.body).toMatchObject({ current_model: 'gemma3:4b', model: { name: 'gemma3:4b', is_current: true } });
  });

  it('warns when the model cannot see photos', async () => {
    const r = await t.req('POST', '/api/model/switch', { body: { model: 'llama3.1:8b' } });
    expect(r.status).toBe(200);
    expect(r.body.warning).toMatch(/cannot look at images/);
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
  });

  it('refuses unknown (404), not installed (409) and invalid (400) models, leaving the current model alone', async () => {
    const cases: [unknown, number, string][] = [
      ['no-such-model:1b', 404, 'MODEL_NOT_FOUND'],
      ['gemma3:27b', 409, 'MODEL_NOT_INSTALLED'],
      ['../../etc/passwd', 400, 'INVALID_MODEL_NAME'],
      ['', 400, 'INVALID_MODEL_NAME'],
      ['a'.repeat(500), 400, 'INVALID_MODEL_NAME'],
      ['gemma3\u0000:4b', 400, 'INVALID_MODEL_NAME'],
      [42, 400, 'INVALID_REQUEST'],
    ];
    for (const [model, status, code] of cases) {
      const r = await t.req('POST', '/api/model/switch', { body: { model } });
      expect(r.status, JSON.stringify(model)).toBe(status);
      expect(r.body).toMatchObject({ success: false, code });
      expect(typeof r.body.error).toBe('string');
      expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    const missing = await t.req('POST', '/api/model/switch', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('INVALID_REQUEST');
    expect((await t.req('GET', '/api/model/current')).body.current_model).toBe('gemma3:4b');
  });

  it('notices a model deleted behind its back', async () => {
    t.emu.uninstall('moondream:1.8b');
    const r = await t.req('POST', '/api/model/switch', { body: { model: 'moondream:1.8b' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('MODEL_NOT_INSTALLED');
    t.emu.install('moondream:1.8b');
    await t.req('POST', '/api/model/sync', { body: {} });
  });
});

describe('deleting', () => {
  it('refuses the current model with 409 MODEL_IN_USE', async () => {
    const r = await t.req('DELETE', '/api/model/delete', { body: { model: 'gemma3:4b' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('MODEL_IN_USE');
    expect(t.emu.isInstalled('gemma3:4b')).toBe(true);
  });

  it('deletes an installed model from Ollama and the store', async () => {
    const r = await t.req('DELETE', '/api/model/delete', { body: { model: 'moondream:1.8b' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, model: 'moondream:1.8b' });
    expect(t.emu.isInstalled('moondream:1.8b')).toBe(false);
    expect(t.daemon.store.models.get('moondream:1.8b')?.installed).toBe(false);
    const again = await t.req('DELETE', '/api/model/delete', { body: { model: 'moondream:1.8b' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MODEL_NOT_INSTALLED');
  });

  it('needs a JSON body naming the model', async () => {
    const r = await t.req('DELETE', '/api/model/delete', { raw: '{"model":', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('MALFORMED_JSON');
  });
});

describe('sync', () => {
  it('adds models installed outside the catalog as custom entries described by /api/show, and drops them when gone', async () => {
    t.emu.install('tiny-vision:1b');
    const r = await t.req('POST', '/api/model/sync', { body: {} });
    expect(r.status).toBe(200);
    expect(r.body.added).toContain('tiny-vision:1b');
    expect(r.body.ollama_version).toMatch(/\d+\.\d+/);
    const info = (await t.req('GET', '/api/model/info/tiny-vision:1b')).body;
    expect(info.model).toMatchObject({ name: 'tiny-vision:1b', source: 'custom', installed: true, vision: true, min_ollama_version: null });
    t.emu.uninstall('tiny-vision:1b');
    const r2 = await t.req('POST', '/api/model/sync', { body: {} });
    expect(r2.body.removed).toContain('tiny-vision:1b');
    expect((await t.req('GET', '/api/model/info/tiny-vision:1b')).status).toBe(404);
  });
});

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blindSentence } from '../../daemon/models/views.js';
import { ExportDocument, MAX_IMPORT_MODELS } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;

beforeAll(async () => {
  // tiny-vision:1b is not in the catalog: a custom model, importable because it is installed here.
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b', 'tiny-vision:1b'] });
  await t.req('POST', '/api/model/sync', { body: {} });
});
afterAll(async () => t.close());

/** Each test sets the current model it starts from, so none depends on another having run first. */
async function makeCurrent(model: string): Promise<void> {
  expect((await t.req('POST', '/api/model/switch', { body: { model } })).status).toBe(200);
}

/** The old Python system's model_metadata.json, as its users have it on disk. */
const LEGACY = {
  current_model: 'llama3.1:8b-instruct',
  models: {
    'llama3.1:8b-instruct': { name: 'llama3.1:8b-instruct', display_name: 'Llama 3.1 8B Instruct', purpose: 'balanced', size_gb: 4.7, min_vram_gb: 6, installed: true, usage_count: 120, avg_inference_time: 2.5, success_rate: 0.95, last_used: '2025-11-08T10:00:00' },
    'llama3.1:13b-instruct': { name: 'llama3.1:13b-instruct', purpose: 'quality', installed: false, usage_count: 0, avg_inference_time: 0, success_rate: 1 },
    'tiny-vision:1b': { usage_count: 7, avg_inference_time: 4, success_rate: 0.5 },
  },
};

describe('import and export', () => {
  it('imports the old system\'s model_metadata.json in one go, aliases resolved and seconds made milliseconds', async () => {
    const r = await t.req('POST', '/api/model/import', { body: LEGACY });
    expect(r.status).toBe(200);
    // Made current as the file says, and, as switch does, the answer says this text model cannot look at photos.
    expect(r.body).toMatchObject({ success: true, format: 'legacy', current_model: 'llama3.1:8b', warnings: [blindSentence('llama3.1:8b')] });
    expect(r.body.imported).toEqual(expect.arrayContaining(['llama3.1:8b', 'tiny-vision:1b']));
    const s = (await t.req('GET', '/api/model/statistics?model=llama3.1:8b')).body.statistics['llama3.1:8b'];
    expect(s.count).toBe(0);
    expect(s.imported).toEqual({ usage_count: 120, avg_ms: 2500, success_rate: 0.95, last_used: '2025-11-08T10:00:00' });
    expect((await t.req('GET', '/api/model/current')).body.current_model).toBe('llama3.1:8b');
  });

  it('exports a document, never a server path, that imports back into a fresh daemon', async () => {
    await makeCurrent('llama3.1:8b');
    await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', duration_ms: 1200, success: true } });
    const serverPath = join(tmpdir(), `junmai-export-${process.pid}-${Date.now()}.json`);
    const r = await t.req('POST', '/api/model/export', { body: { file_path: serverPath } });
    expect(r.status).toBe(200);
    expect(existsSync(serverPath)).toBe(false);
    const doc = ExportDocument.parse(r.body.document);
    expect(doc.current_model).toBe('llama3.1:8b');
    expect(doc.models.find((m) => m.name === 'gemma3:4b')?.statistics).toMatchObject({ usage_count: 1, avg_ms: 1200, success_rate: 1 });

    // A custom model's figures travel only to a computer that has the model too.
    const fresh = await startTestDaemon({ installed: ['llama3.1:8b', 'tiny-vision:1b'] });
    try {
      await fresh.req('POST', '/api/model/sync', { body: {} });
      const imp = await fresh.req('POST', '/api/model/import', { body: doc });
      expect(imp.status).toBe(200);
      expect(imp.body).toMatchObject({ format: 'junmai', current_model: 'llama3.1:8b' });
      const g = (await fresh.req('GET', '/api/model/statistics?model=gemma3:4b')).body.statistics['gemma3:4b'];
      expect(g.imported).toMatchObject({ usage_count: 1, avg_ms: 1200 });
    } finally {
      await fresh.close();
    }
  });

  it('keeps the current model when the imported one is not installed here, and says so', async () => {
    await makeCurrent('llama3.1:8b');
    const r = await t.req('POST', '/api/model/import', { body: { current_model: 'gemma3:27b', models: {} } });
    expect(r.status).toBe(200);
    expect(r.body.current_model).toBe('llama3.1:8b');
    expect(r.body.warnings[0]).toMatch(/not installed/);
  });

  it.each([
    ['a bad name anywhere', { current_model: null, models: { 'gemma3:4b': { usage_count: 5 }, '../../etc/passwd': { usage_count: 1 } } }, /etc\/passwd|not a valid model name/],
    ['a wrong type', { models: { 'gemma3:4b': { usage_count: 'many' } } }, /usage_count/],
    ['a success rate above 1', { models: { 'gemma3:4b': { success_rate: 3 } } }, /success_rate/],
    ['a server path', { file_path: '/etc/passwd' }, /does not read files/],
    ['our format with a bad version', { format: 'junmai-model-metadata', version: 9, exported_at: 'x', current_model: null, models: [] }, /version/],
    ['an unknown purpose', { models: { 'gemma3:4b': { purpose: 'not-a-purpose' } } }, /purpose/],
    ['a model neither in the catalog nor installed (a phantom)', { models: { x: { purpose: 'speed' } } }, /x:latest is neither in Junmai's catalog nor installed/],
    ['a phantom in our format', { format: 'junmai-model-metadata', version: 1, exported_at: 'x', current_model: null, models: [{ name: 'ghost:1b', source: 'custom' }] }, /ghost:1b is neither/],
    ['an average beyond a day', { models: { 'gemma3:4b': { avg_inference_time: 1e300 } } }, /avg_inference_time/],
    ['a usage count beyond range', { format: 'junmai-model-metadata', version: 1, exported_at: 'x', current_model: null, models: [{ name: 'gemma3:4b', source: 'catalog', statistics: { usage_count: 1e300 } }] }, /usage_count/],
    ['a string too long', { models: { 'gemma3:4b': { last_used: 'x'.repeat(10_000) } } }, /last_used/],
    ['too many models', { models: Object.fromEntries(Array.from({ length: MAX_IMPORT_MODELS + 1 }, (_, i) => [`gemma3:4b-${i}`, {}])) }, /at most 1000 models/],
  ])('rejects %s whole, changing nothing', async (_what, body, message) => {
    const before = ExportDocument.parse((await t.req('POST', '/api/model/export', { body: {} })).body.document);
    const r = await t.req('POST', '/api/model/import', { body });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'INVALID_IMPORT' });
    expect(r.body.error).toMatch(message);
    const after = ExportDocument.parse((await t.req('POST', '/api/model/export', { body: {} })).body.document);
    expect({ ...after, exported_at: '' }).toEqual({ ...before, exported_at: '' });
  });

  it('takes back whatever it exports, and exports only what it can take back', async () => {
    // Usage for a name Ollama never had is kept in the database but cannot travel: an import would refuse it.
    await t.req('POST', '/api/model/usage', { body: { model: 'never-installed:1b', duration_ms: 5, success: true } });
    const doc = ExportDocument.parse((await t.req('POST', '/api/model/export', { body: {} })).body.document);
    expect(doc.models.map((m) => m.name)).not.toContain('never-installed:1b');
    expect(doc.models.map((m) => m.name)).toContain('tiny-vision:1b');
    const r = await t.req('POST', '/api/model/import', { body: doc });
    expect(r.status, r.text).toBe(200);
    expect(r.body.imported).toEqual(doc.models.map((m) => m.name));
  });

  it('refuses a body that is not a JSON object', async () => {
    const r = await t.req('POST', '/api/model/import', { body: [1, 2, 3] });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('INVALID_REQUEST');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobView, ListResponse, type ModelView } from '../../daemon/schemas/api.js';
import { fixedHardware, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';

/**
 * The list is answered from a cache of its serialized bytes. Each test first makes the list cache
 * its answer, then changes one thing the list shows, and asks again at once: the new answer must
 * show the change. A source of change the cache did not know about fails here.
 */
const hw = fixedHardware(8);
let t: TestDaemon;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-list-cache-'));
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.2:1b', 'moondream:1.8b'], hardware: hw, emulator: { pullBytesPerSecond: 1e12, pullTickMs: 10 } });
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function list(query = ''): Promise<ListResponse> {
  const r = await t.req('GET', `/api/model/list${query}`);
  expect(r.status).toBe(200);
  return ListResponse.parse(r.body);
}
type ListResponse = ReturnType<typeof ListResponse.parse>;
const model = (l: ListResponse, name: string) => l.models.find((m) => m.name === name) as ModelView;

/** Asks twice, so the second answer is the cached one whatever the first was. */
async function cached(query = ''): Promise<ListResponse> {
  await list(query);
  return list(query);
}

beforeEach(async () => {
  if (!t.emu.isInstalled('gemma3:4b')) t.emu.install('gemma3:4b');
});

describe('the cached list answers the new value right after', () => {
  it('a switch: is_current moves', async () => {
    const before = await cached();
    const target = model(before, 'gemma3:4b').is_current ? 'moondream:1.8b' : 'gemma3:4b';
    expect((await t.req('POST', '/api/model/switch', { body: { model: target } })).status).toBe(200);
    const after = await list();
    expect(after.models.filter((m) => m.is_current).map((m) => m.name)).toEqual([target]);
  });

  it('a sync that finds a new model: installed', async () => {
    expect(model(await cached(), 'gemma3:12b').installed).toBe(false);
    t.emu.install('gemma3:12b');
    expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
    expect(model(await list(), 'gemma3:12b').installed).toBe(true);
  });

  it('a delete: no longer installed', async () => {
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } })).status).toBe(200);
    expect(model(await cached(), 'llama3.2:1b').installed).toBe(true);
    expect((await t.req('DELETE', '/api/model/delete', { body: { model: 'llama3.2:1b' } })).status).toBe(200);
    expect(model(await list(), 'llama3.2:1b').installed).toBe(false);
  });

  it('a download that completes: the new model appears, installed', async () => {
    expect((await cached()).models.map((m) => m.name)).not.toContain('tiny-vision:1b');
    const job = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job as JobView;
    for (let i = 0; i < 200; i++) {
      const now = JobView.parse((await t.req('GET', `/api/model/downloads/${job.id}`)).body.job);
      if (now.status === 'completed') break;
      expect(['queued', 'downloading', 'verifying']).toContain(now.status);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(model(await list(), 'tiny-vision:1b')).toMatchObject({ installed: true, source: 'custom' });
  });

  it('recorded usage: usage_count, avg_inference_time, success_rate, last_used', async () => {
    const before = model(await cached(), 'moondream:1.8b');
    const at = '2026-01-02T03:04:05.000Z';
    expect((await t.req('POST', '/api/model/usage', { body: [{ model: 'moondream:1.8b', duration_ms: 2000, success: true, at }, { model: 'moondream:1.8b', duration_ms: 1000, success: false, at }] })).status).toBe(200);
    expect(model(await list(), 'moondream:1.8b')).toMatchObject({
      usage_count: before.usage_count + 2,
      ...(before.usage_count === 0 ? { avg_inference_time: 2, success_rate: 0.5, last_used: at } : {}),
    });
  });

  it('a photo evaluated by the daemon: its usage row counts', async () => {
    const before = model(await cached(), 'gemma3:4b').usage_count;
    const path = join(dir, 'photo.jpg');
    writeFileSync(path, tinyJpeg(7));
    const r = await t.req('POST', '/api/evaluate', { body: { image_path: path, model: 'gemma3:4b', options: { cache: false } } });
    expect(r.status).toBe(200);
    expect(model(await list(), 'gemma3:4b').usage_count).toBe(before + 1);
  });

  it('an import that names the current model', async () => {
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } })).status).toBe(200);
    expect(model(await cached(), 'moondream:1.8b').is_current).toBe(false);
    expect((await t.req('POST', '/api/model/import', { body: { current_model: 'moondream:1.8b', models: {} } })).status).toBe(200);
    expect((await list()).models.filter((m) => m.is_current).map((m) => m.name)).toEqual(['moondream:1.8b']);
  });

  it('the hardware probe finding other memory: fit', async () => {
    expect(model(await cached(), 'gemma3:4b').fit).toBe('fits_gpu');
    const gpu = hw.info.gpu_memory_bytes;
    const offload = hw.info.offload_memory_bytes;
    hw.info.gpu_memory_bytes = 0;
    hw.info.offload_memory_bytes = 0;
    hw.expire();
    try {
      // The list answers with the last probe and probes again behind it (manager.availableHere): the second answer has it.
      await list();
      expect(model(await list(), 'gemma3:4b').fit).toBe('does_not_fit');
    } finally {
      hw.info.gpu_memory_bytes = gpu;
      hw.info.offload_memory_bytes = offload;
      hw.expire();
    }
    await list();
    expect(model(await list(), 'gemma3:4b').fit).toBe('fits_gpu');
  });

  it('Ollama no longer answering (nothing written to the store): ollama_reachable and the note', async () => {
    expect(await cached()).toMatchObject({ ollama_reachable: true });
    await t.emu.stop();
    try {
      expect((await t.req('POST', '/api/model/sync', { body: {} })).body.code).toBe('OLLAMA_UNREACHABLE');
      const after = await list();
      expect(after.ollama_reachable).toBe(false);
      expect(after.note).toMatch(/^Ollama is not answering/);
    } finally {
      await t.emu.start();
    }
    expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
    expect(await list()).toMatchObject({ ollama_reachable: true });
  });
});

describe('the cache keeps filters apart', () => {
  it('answers each query string with its own models, and /installed as ?installed_only=true', async () => {
    const all = await cached();
    const installed = await cached('?installed_only=true');
    const speed = await cached('?purpose=speed');
    expect(installed.models.map((m) => m.name)).toEqual(all.models.filter((m) => m.installed).map((m) => m.name));
    expect(speed.models.map((m) => m.name)).toEqual(all.models.filter((m) => m.purpose === 'speed').map((m) => m.name));
    expect(installed.count).toBeLessThan(all.count);
    const viaRoute = await t.req('GET', '/api/model/installed');
    expect(viaRoute.text).toBe((await t.req('GET', '/api/model/list?installed_only=true')).text);
  });

  it('serves the same bytes and headers from the cache as when building the answer', async () => {
    expect((await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', duration_ms: 1500, success: true } })).status).toBe(200);
    const built = await t.req('GET', '/api/model/list');
    const again = await t.req('GET', '/api/model/list');
    expect(again.text).toBe(built.text);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(built.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.headers['content-length']).toBe(built.headers['content-length']);
  });
});

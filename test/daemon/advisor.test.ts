import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatibilityResponse, RecommendResponse } from '../../daemon/schemas/api.js';
import { fixedHardware, startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b'], hardware: fixedHardware(8, 24) });
  await t.req('POST', '/api/model/sync', { body: {} });
});
afterAll(async () => t.close());

describe('POST /api/model/check_compatibility', () => {
  it('says a small model fits on the GPU, with the estimate and its parts', async () => {
    const r = await t.req('POST', '/api/model/check_compatibility', { body: { model: 'gemma3:4b' } });
    expect(r.status).toBe(200);
    const body = CompatibilityResponse.parse(r.body);
    expect(body).toMatchObject({ model: 'gemma3:4b', compatible: true, fit: 'fits_gpu' });
    expect(body.available).toMatchObject({ gpu_memory_gb: 8, from: 'hardware' });
    const e = body.estimate;
    expect(e.weights_gb).toBeGreaterThan(0);
    expect(e.kv_cache_gb).toBeGreaterThan(0);
    expect(e.projector_gb).toBeGreaterThan(0);
    expect(e.total_gb).toBeCloseTo(e.weights_gb + e.kv_cache_gb + e.graph_gb + e.vision_graph_gb + e.projector_gb + e.layer_buffer_gb + e.overhead_gb, 1);
  });

  it('says a model too big for the GPU runs with CPU offload, and one too big for the machine does not fit', async () => {
    const offload = (await t.req('POST', '/api/model/check_compatibility', { body: { model: 'gemma3:27b' } })).body;
    expect(offload).toMatchObject({ compatible: true, fit: 'fits_with_offload' });
    expect(offload.message).toMatch(/CPU/);
    const none = (await t.req('POST', '/api/model/check_compatibility', { body: { model: 'llama3.1:70b', available_vram_gb: 4 } })).body;
    expect(none).toMatchObject({ compatible: false, fit: 'does_not_fit', available: { gpu_memory_gb: 4, from: 'request' } });
  });

  it('grows the KV cache with context_length and num_parallel', async () => {
    const base = (await t.req('POST', '/api/model/check_compatibility', { body: { model: 'llama3.1:8b', context_length: 4096 } })).body.estimate;
    const long = (await t.req('POST', '/api/model/check_compatibility', { body: { model: 'llama3.1:8b', context_length: 32768, num_parallel: 2 } })).body.estimate;
    expect(long.kv_cache_gb).toBeCloseTo(base.kv_cache_gb * 16, 0);
    expect(long.total_gb).toBeGreaterThan(base.total_gb);
  });

  it('answers the old alias and refuses bad input', async () => {
    expect((await t.req('POST', '/api/model/check_compatibility', { body: { model: 'llama3.1:70b-instruct', available_vram_gb: 8.0 } })).body.model).toBe('llama3.1:70b');
    const bad = await t.req('POST', '/api/model/check_compatibility', { body: { model: 'gemma3:4b', available_vram_gb: 'eight' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
    expect(bad.body.error).toMatch(/available_vram_gb/);
    expect((await t.req('POST', '/api/model/check_compatibility', { body: { model: 'nope:1b' } })).status).toBe(404);
  });
});

describe('POST /api/model/recommend', () => {
  it('recommends a vision model that fits 8 GB for balanced work, with reasons and alternatives', async () => {
    const r = await t.req('POST', '/api/model/recommend', { body: { available_vram_gb: 8.0, priority: 'balanced' } });
    expect(r.status).toBe(200);
    const body = RecommendResponse.parse(r.body);
    expect(body.recommended_model).not.toBeNull();
    expect(body.recommendation?.fit).toBe('fits_gpu');
    expect(body.capability).toBe('vision');
    const listed = (await t.req('GET', `/api/model/info/${body.recommended_model}`)).body.model;
    expect(listed.vision).toBe(true);
    expect(body.reasons.length).toBeGreaterThan(0);
    expect(body.alternatives.length).toBeGreaterThan(0);
    expect(body.alternatives.every((a) => a.score <= (body.recommendation?.score ?? 0))).toBe(true);
    expect(body.download_needed).toBe(!listed.installed);
  });

  it('chooses across the whole catalog: quality on a big GPU picks a larger model than speed', async () => {
    const quality = (await t.req('POST', '/api/model/recommend', { body: { available_vram_gb: 48, priority: 'quality' } })).body;
    const speed = (await t.req('POST', '/api/model/recommend', { body: { available_vram_gb: 48, priority: 'speed' } })).body;
    expect(quality.recommendation.estimate.weights_gb).toBeGreaterThan(speed.recommendation.estimate.weights_gb);
    expect(quality.download_needed).toBe(true);
    expect(quality.message).toMatch(/download/);
  });

  it('uses the detected hardware when no VRAM is given, and capability any admits text models', async () => {
    const r = (await t.req('POST', '/api/model/recommend', { body: { capability: 'any', priority: 'speed' } })).body;
    expect(r.available).toMatchObject({ gpu_memory_gb: 8, from: 'hardware' });
    expect(r.recommended_model).not.toBeNull();
  });

  it('weighs measured history: a model that keeps failing drops behind', async () => {
    const before = (await t.req('POST', '/api/model/recommend', { body: { available_vram_gb: 8, priority: 'balanced' } })).body;
    const top = before.recommended_model as string;
    const failures = Array.from({ length: 20 }, () => ({ model: top, duration_ms: 3000, success: false, error_code: 'MODEL_OUTPUT_INVALID' }));
    expect((await t.req('POST', '/api/model/usage', { body: failures })).status).toBe(200);
    const after = (await t.req('POST', '/api/model/recommend', { body: { available_vram_gb: 8, priority: 'balanced' } })).body;
    expect(after.recommended_model).not.toBe(top);
  });

  it('says so when nothing fits', async () => {
    const t2 = await startTestDaemon({ hardware: fixedHardware(0, 0.5) });
    try {
      const r = (await t2.req('POST', '/api/model/recommend', { body: { available_vram_gb: 0.1 } })).body;
      expect(r).toMatchObject({ success: true, recommended_model: null, recommendation: null, download_needed: false });
      expect(r.message).toMatch(/No vision model/);
    } finally {
      await t2.close();
    }
  });

  it('refuses an unknown priority', async () => {
    const r = await t.req('POST', '/api/model/recommend', { body: { priority: 'cheapest' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/priority/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatisticsResponse } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'] });
});
afterAll(async () => t.close());

const usageRows = () => t.daemon.store.usage.totals().reduce((n, r) => n + r.count, 0);

describe('POST /api/model/usage and GET /api/model/statistics', () => {
  it('stores one record, with every timing field', async () => {
    const r = await t.req('POST', '/api/model/usage', {
      body: { model: 'gemma3:4b', duration_ms: 2500, success: true, photo_id: 'cat-1/IMG_0001', load_ms: 800, prompt_eval_ms: 300, eval_ms: 1000, prompt_tokens: 600, eval_tokens: 50, total_ms: 2400 },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true, recorded: 1 });
    const s = (await t.req('GET', '/api/model/statistics?model=gemma3:4b')).body.statistics['gemma3:4b'];
    expect(s).toMatchObject({ count: 1, successes: 1, success_rate: 1, mean_ms: 2500, p50_ms: 2500, p95_ms: 2500, mean_load_ms: 800, tokens_per_second: 50, usage_count: 1, avg_inference_time: 2.5 });
  });

  it('stores a batch in one transaction and computes exact figures', async () => {
    // 1..99 s successes, plus one failure: mean 50 s, p50 50 s, p95 95 s, rate 99/100.
    const batch = Array.from({ length: 99 }, (_, i) => ({ model: 'llava:7b', duration_ms: (i + 1) * 1000, success: true, eval_ms: 1000, eval_tokens: 20 }));
    batch.push({ model: 'llava:7b', duration_ms: 10, success: false, eval_ms: 0, eval_tokens: 0 });
    expect((await t.req('POST', '/api/model/usage', { body: batch })).body.recorded).toBe(100);
    const body = StatisticsResponse.parse((await t.req('GET', '/api/model/statistics')).body);
    const s = body.statistics['llava:7b'];
    expect(s).toMatchObject({ count: 100, successes: 99, failures: 1, success_rate: 0.99, mean_ms: 50000, p50_ms: 50000, p95_ms: 95000, tokens_per_second: 20, mean_load_ms: null });
    expect(body.total_usage).toBe(101);
  });

  it('resolves aliases when recording', async () => {
    await t.req('POST', '/api/model/usage', { body: { model: 'llama3.1:8b-instruct', duration_ms: 1000, success: true } });
    expect((await t.req('GET', '/api/model/statistics?model=llama3.1:8b')).body.statistics['llama3.1:8b'].count).toBe(1);
  });

  it('stores nothing of a batch with one bad record', async () => {
    const before = usageRows();
    const cases = [
      [{ model: 'gemma3:4b', duration_ms: 1, success: true }, { model: '../etc', duration_ms: 1, success: true }],
      [{ model: 'gemma3:4b', duration_ms: 1, success: true }, { model: 'gemma3:4b', duration_ms: -5, success: true }],
      [{ model: 'gemma3:4b', duration_ms: 1, success: 'yes' }],
      [{ model: 'gemma3:4b', duration_ms: 1, success: true }, { model: 'gemma3:4b', duration_ms: 1, success: true, at: '9999-12-31T23:59:59Z' }],
      [],
    ];
    for (const body of cases) {
      const r = await t.req('POST', '/api/model/usage', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.success).toBe(false);
    }
    expect(usageRows()).toBe(before);
  });

  it('answers 404 for statistics of a model never seen and 400 for an invalid name', async () => {
    expect((await t.req('GET', '/api/model/statistics?model=never-seen:1b')).status).toBe(404);
    expect((await t.req('GET', '/api/model/statistics?model=..%2Fx')).body.code).toBe('INVALID_MODEL_NAME');
  });

  it('keeps the caller\'s faults out of the model\'s success rate, and shows them apart', async () => {
    const ok = Array.from({ length: 10 }, () => ({ model: 'qwen2.5vl:7b', duration_ms: 1000, success: true }));
    const theirs = ['IMAGE_NOT_FOUND', 'IMAGE_UNREADABLE', 'UNSUPPORTED_IMAGE', 'OLLAMA_UNREACHABLE', 'OLLAMA_TIMEOUT'].map((error_code) => ({ model: 'qwen2.5vl:7b', duration_ms: 5, success: false, error_code }));
    const its = { model: 'qwen2.5vl:7b', duration_ms: 9000, success: false, error_code: 'MODEL_OUTPUT_INVALID' };
    expect((await t.req('POST', '/api/model/usage', { body: [...ok, ...theirs, its] })).body.recorded).toBe(16);
    const s = (await t.req('GET', '/api/model/statistics?model=qwen2.5vl:7b')).body.statistics['qwen2.5vl:7b'];
    expect(s).toMatchObject({ count: 16, successes: 10, failures: 1, caller_faults: 5, success_rate: 0.9091, mean_ms: 1000, p95_ms: 1000 });
    const listed = (await t.req('GET', '/api/model/list')).body.models.find((m: { name: string }) => m.name === 'qwen2.5vl:7b');
    expect(listed.success_rate).toBe(0.9091);
  });

  it('shows the usage figures in the model list', async () => {
    const list = (await t.req('GET', '/api/model/list')).body.models;
    expect(list.find((m: { name: string }) => m.name === 'llava:7b')).toMatchObject({ usage_count: 100, success_rate: 0.99, avg_inference_time: 50 });
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statsFor } from '../../daemon/models/statistics.js';
import { MAX_DURATION_MS, MAX_IMPORTED_USAGE, MAX_TOKENS } from '../../daemon/schemas/api.js';
import type { UsageRepo, UsageTotals } from '../../daemon/store/usage-repo.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;
let requests = 0;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b'] });
  await t.req('POST', '/api/model/sync', { body: {} });
});
afterAll(async () => {
  console.log(`[extremes] ${requests} requests with extreme numbers; every read answered 200 with finite figures`);
  await t.close();
});

const req = async (method: string, path: string, body?: unknown) => {
  requests++;
  return t.req(method, path, body === undefined ? {} : { body });
};

/** Every number in a JSON value, wherever it sits. */
function numbers(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbers);
  if (v && typeof v === 'object') return Object.values(v).flatMap(numbers);
  return [];
}

const READS = ['/api/model/list', '/api/model/installed', '/api/model/current', '/api/model/statistics', '/api/model/statistics?model=gemma3:4b', '/api/model/info/gemma3:4b', '/api/health'];

async function everyReadAnswers(): Promise<void> {
  for (const path of READS) {
    const r = await req('GET', path);
    expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(200);
    expect(numbers(r.body).every(Number.isFinite), path).toBe(true);
  }
  for (const route of ['export', 'recommend']) {
    const r = await req('POST', `/api/model/${route}`, {});
    expect(r.status, `${route}: ${r.text.slice(0, 300)}`).toBe(200);
  }
  // Whatever export produces, import accepts.
  const doc = (await req('POST', '/api/model/export', {})).body.document;
  const back = await req('POST', '/api/model/import', doc);
  expect(back.status, back.text.slice(0, 300)).toBe(200);
}

/** The smallest and largest doubles and the edges of the ranges, sent where any number is taken: most are refused. */
const extreme = fc.oneof(
  fc.constantFrom(0, -0, Number.MIN_VALUE, 1e-300, 0.1, 1, MAX_DURATION_MS, MAX_DURATION_MS + 1, MAX_TOKENS, MAX_TOKENS + 1, 2 ** 53, 1e308, Number.MAX_VALUE, -1),
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

/**
 * Mostly a value the field accepts, at its edges (the smallest double, the largest allowed) or in
 * between, so that extreme values are stored and summed; sometimes anything at all.
 */
const accepted = (max: number, integer: boolean) =>
  fc.oneof(
    { weight: 8, arbitrary: integer ? fc.oneof(fc.constantFrom(0, 1, max), fc.integer({ min: 0, max })) : fc.oneof(fc.constantFrom(0, Number.MIN_VALUE, 1e-300, max), fc.double({ min: 0, max, noNaN: true })) },
    { weight: 1, arbitrary: extreme },
  );
const duration = accepted(MAX_DURATION_MS, false);
const tokens = accepted(MAX_TOKENS, true);

const record = fc.record(
  {
    model: fc.constantFrom('gemma3:4b', 'llama3.1:8b'),
    duration_ms: duration,
    success: fc.boolean(),
    total_ms: duration,
    load_ms: duration,
    prompt_eval_ms: duration,
    eval_ms: duration,
    prompt_tokens: tokens,
    eval_tokens: tokens,
    client_ms: duration,
  },
  { requiredKeys: ['model', 'duration_ms', 'success'] },
);

const importedStats = fc.record({ usage_count: accepted(MAX_IMPORTED_USAGE, true), avg_ms: duration, success_rate: accepted(1, false) });

describe('no accepted value can break a later answer', () => {
  it('the reported case: load_ms 1e308 twice and eval_ms 5e-324 with many tokens', async () => {
    const a = await req('POST', '/api/model/usage', [
      { model: 'gemma3:4b', duration_ms: 1, success: true, load_ms: 1e308 },
      { model: 'gemma3:4b', duration_ms: 1, success: true, load_ms: 1e308 },
    ]);
    expect(a.status).toBe(400);
    expect(a.body.code).toBe('INVALID_REQUEST');
    const b = await req('POST', '/api/model/usage', { model: 'gemma3:4b', duration_ms: 1, success: true, eval_ms: 5e-324, eval_tokens: MAX_TOKENS });
    expect(b.status).toBe(200);
    await everyReadAnswers();
    const s = (await req('GET', '/api/model/statistics?model=gemma3:4b')).body.statistics['gemma3:4b'];
    expect(s.tokens_per_second).toBeNull();
  });

  it('random extreme numbers through every writing route, then every read', async () => {
    const stored = { usage: 0, ours: 0, legacy: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), importedStats, fc.double({ min: 0, max: 1e6, noNaN: true }), async (records, stats, seconds) => {
        const u = await req('POST', '/api/model/usage', records);
        expect([200, 400], u.text).toContain(u.status);
        if (u.status === 200) stored.usage++;
        const ours = await req('POST', '/api/model/import', {
          format: 'junmai-model-metadata', version: 1, exported_at: new Date(0).toISOString(), current_model: null,
          models: [{ name: 'gemma3:4b', source: 'catalog', statistics: stats }],
        });
        expect([200, 400], ours.text).toContain(ours.status);
        if (ours.status === 200) stored.ours++;
        const legacy = await req('POST', '/api/model/import', { models: { 'llama3.1:8b': { avg_inference_time: seconds, usage_count: stats.usage_count, success_rate: stats.success_rate } } });
        expect([200, 400], legacy.text).toContain(legacy.status);
        if (legacy.status === 200) stored.legacy++;
        await everyReadAnswers();
      }),
      { numRuns: 40, seed: 12 },
    );
    // The property means something only if extreme values were stored through every route, not all refused.
    expect(Math.min(stored.usage, stored.ours, stored.legacy), JSON.stringify(stored)).toBeGreaterThanOrEqual(5);
  });
});

describe('statistics stay finite whatever the sums hold', () => {
  it('sums that reached Infinity, or a division by the smallest double, give null rather than Infinity', () => {
    const totals: UsageTotals = {
      model: 'm', count: 2, successes: 2, cache_hits: 0, timed_successes: 2, success_ms_sum: Infinity, load_ms_sum: Infinity, load_count: 2,
      cold_starts: 2, warm_successes: 0, warm_ms_sum: 0, eval_tokens_sum: 1e7, eval_ms_sum: 5e-324, client_count: 1, client_ms_sum: Infinity,
      warmups: 1, warmup_failures: 0, warmup_ms_sum: Infinity, caller_faults: 0, first_ts: 0, last_ts: 0,
    };
    const usage = { successPercentile: () => 1, warmPercentile: () => null } as unknown as UsageRepo;
    const s = statsFor('m', totals, usage);
    expect(s).toMatchObject({ mean_ms: null, mean_load_ms: null, tokens_per_second: null, mean_client_ms: null, mean_warmup_ms: null, avg_inference_time: null, success_rate: 1 });
    expect(numbers(s).every(Number.isFinite)).toBe(true);
  });
});

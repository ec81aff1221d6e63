import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usageRow } from '../support/usage.js';
import { statsFor } from '../../daemon/models/statistics.js';
import type { ModelRow } from '../../daemon/store/models-repo.js';
import { Store } from '../../daemon/store/store.js';
import type { UsageInsert } from '../../daemon/store/usage-repo.js';

// Which rows count, by value, through the repository's and the statistics' public API only, so the
// figures hold whatever SQL computes them. Each row below is there so that counting it where it does
// not belong (or leaving it out where it does) changes an exact figure.
let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-usage-values-'));
  store = Store.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});


const HISTORY: UsageInsert[] = [
  // Timed successes: 4000 (warm, load 50), 1000 (cold, load 3000), 2000 (warm, no load), 3000 (warm: load exactly 1000).
  usageRow({ ts: 1_000, duration_ms: 4_000, load_ms: 50, eval_tokens: 100, eval_ms: 2_000, client_ms: 4_500 }),
  usageRow({ ts: 2_000, duration_ms: 1_000, load_ms: 3_000, eval_tokens: 60, eval_ms: 500 }),
  usageRow({ ts: 3_000, duration_ms: 2_000 }),
  usageRow({ ts: 4_000, duration_ms: 3_000, load_ms: 1_000 }),
  // A cache hit: a success, counted, with a client time, but no duration, load or tokens of the model's.
  usageRow({ ts: 5_000, duration_ms: 10, cache_hit: true, client_ms: 30, load_ms: 4_000, eval_tokens: 1_000, eval_ms: 1 }),
  // The model's own failures: one with its code, one without any.
  usageRow({ ts: 6_000, duration_ms: 50, load_ms: 20, success: false, error_code: 'MODEL_OUTPUT_INVALID' }),
  usageRow({ ts: 8_000, duration_ms: 7, success: false, error_code: null }),
  // Not the model's fault: counted as a photo, never in the success rate.
  usageRow({ ts: 7_000, duration_ms: 5, success: false, error_code: 'IMAGE_NOT_FOUND' }),
  // Warm-ups: not photos, and never among the durations.
  usageRow({ ts: 500, duration_ms: 500, load_ms: 7_000, kind: 'warmup' }),
  usageRow({ ts: 600, duration_ms: 100, success: false, error_code: 'OLLAMA_ERROR', kind: 'warmup' }),
  // Another model's photo.
  usageRow({ ts: 100, model: 'n', duration_ms: 1, load_ms: 2_000 }),
];

const record = (rows: UsageInsert[]) => store.transaction(() => rows.forEach((r) => store.usage.insert(r)));
const stats = (model: string) => statsFor(model, store.usage.totalsFor(model), store.usage);

describe('usage figures by value', () => {
  it('counts photos, successes, model failures and caller faults apart', () => {
    record(HISTORY);
    const s = stats('m');
    expect(s).toMatchObject({
      count: 8, usage_count: 8, successes: 5, failures: 2, caller_faults: 1,
      // 5 of the 7 photos the model is judged on.
      success_rate: 0.7143,
      cache_hits: 1, warmups: 2,
    });
  });

  it('times only successful photos that ran the model: no failures, cache hits, warm-ups or other models', () => {
    record(HISTORY);
    const s = stats('m');
    // 1000, 2000, 3000, 4000: the mean, and the nearest-rank p50 (2nd) and p95 (4th).
    expect([s.mean_ms, s.p50_ms, s.p95_ms, s.avg_inference_time]).toEqual([2_500, 2_000, 4_000, 2.5]);
  });

  it('tells warm from cold by a load of at most one second', () => {
    record(HISTORY);
    const s = stats('m');
    // Warm: 2000, 3000 (load exactly 1000), 4000; cold: the one loaded for 3000 ms.
    expect([s.cold_starts, s.warm_mean_ms, s.warm_p50_ms, s.warm_p95_ms]).toEqual([1, 3_000, 3_000, 4_000]);
  });

  it('averages loads, tokens, client times and warm-ups over the rows that have them', () => {
    record(HISTORY);
    const s = stats('m');
    // Loads 50, 3000, 1000, 20 of photos that ran (the cache hit's and the warm-up's left out).
    expect(s.mean_load_ms).toBe(1_017.5);
    // 160 tokens in 2.5 s.
    expect(s.tokens_per_second).toBe(64);
    // The plugin's own times, cache hit included: (4500 + 30) / 2.
    expect(s.mean_client_ms).toBe(2_265);
    // The successful warm-up only.
    expect(s.mean_warmup_ms).toBe(500);
    expect([s.first_used, s.last_used]).toEqual(['1970-01-01T00:00:01.000Z', '1970-01-01T00:00:08.000Z']);
  });

  it('keeps other models to themselves', () => {
    record(HISTORY);
    expect(stats('n')).toMatchObject({ count: 1, successes: 1, p50_ms: 1, cold_starts: 1, warm_p50_ms: null, mean_load_ms: 2_000 });
    expect(store.usage.totals().map((t) => [t.model, t.count])).toEqual([['m', 8], ['n', 1]]);
    expect(stats('nothing')).toMatchObject({ count: 0, success_rate: null, mean_ms: null, p50_ms: null, warm_p50_ms: null, first_used: null });
  });

  it('takes the nearest rank: the ⌈p·n⌉-th duration, at least the first', () => {
    record(HISTORY);
    const pct = (p: number) => store.usage.successPercentile('m', 4, p);
    expect([pct(0), pct(25), pct(26), pct(50), pct(75), pct(76), pct(100)]).toEqual([1_000, 1_000, 2_000, 2_000, 3_000, 4_000, 4_000]);
    expect(store.usage.successPercentile('m', 0, 50)).toBeNull();
    expect([store.usage.warmPercentile('m', 3, 34), store.usage.warmPercentile('m', 3, 33)]).toEqual([3_000, 2_000]);
  });

  it('has no warm figures when every photo was a cold start', () => {
    record([usageRow({ ts: 1, duration_ms: 900, load_ms: 1_001 }), usageRow({ ts: 2, duration_ms: 800, load_ms: 5_000 })]);
    expect(stats('m')).toMatchObject({ cold_starts: 2, warm_mean_ms: null, warm_p50_ms: null, p50_ms: 800, p95_ms: 900 });
  });
});

describe('filling in the plugin\'s end-to-end time', () => {
  const photo = (ts: number, o: Partial<UsageInsert> = {}) => usageRow({ ts, duration_ms: 1_000, photo_id: 'IMG_0001', ...o });

  it('fills the newest matching row first, then the next, and never one older than asked', () => {
    record([photo(10_000), photo(11_000)]);
    expect(store.usage.fillClientMs('m', 'IMG_0001', 9_000, 1_500)).toBe(true);
    // Had the older row been filled, the newer would still be open since 10 500.
    expect(store.usage.fillClientMs('m', 'IMG_0001', 10_500, 1_700)).toBe(false);
    expect(store.usage.fillClientMs('m', 'IMG_0001', 9_000, 1_100)).toBe(true);
    expect(store.usage.fillClientMs('m', 'IMG_0001', 9_000, 1_200)).toBe(false);
    expect(stats('m').mean_client_ms).toBe(1_300);
  });

  it('skips rows with a time already, other photos, other models, warm-ups, and rows before sinceTs', () => {
    record([
      photo(20_000, { client_ms: 900 }),
      photo(21_000, { photo_id: 'IMG_0002' }),
      photo(22_000, { model: 'n' }),
      photo(23_000, { kind: 'warmup' }),
      photo(9_000),
    ]);
    expect(store.usage.fillClientMs('m', 'IMG_0001', 10_000, 5_000)).toBe(false);
    expect(stats('m').mean_client_ms).toBe(900);
    // From 9 000 on, the one open row of this photo and model is the oldest.
    expect(store.usage.fillClientMs('m', 'IMG_0001', 9_000, 5_000)).toBe(true);
    expect(stats('m').mean_client_ms).toBe(2_950);
    expect(stats('n').mean_client_ms).toBeNull();
  });
});

describe('statistics beside imported figures', () => {
  const imported = (o: Partial<Record<'imported_usage_count' | 'imported_avg_ms' | 'imported_success_rate', number | null>>) =>
    ({ imported_usage_count: null, imported_avg_ms: null, imported_success_rate: null, imported_last_used: null, ...o }) as unknown as ModelRow;

  it('carries figures imported from another system when any of them is there, and none otherwise', () => {
    const s = (row?: ModelRow) => statsFor('m', store.usage.totalsFor('m'), store.usage, row).imported;
    expect(s(imported({ imported_usage_count: 120 }))).toEqual({ usage_count: 120, avg_ms: null, success_rate: null, last_used: null });
    expect(s(imported({ imported_avg_ms: 2_500 }))).toEqual({ usage_count: null, avg_ms: 2_500, success_rate: null, last_used: null });
    expect(s(imported({ imported_success_rate: 0.95 }))).toEqual({ usage_count: null, avg_ms: null, success_rate: 0.95, last_used: null });
    expect(s(imported({}))).toBeNull();
    expect(s()).toBeNull();
  });

  it('leaves out percentiles when asked to', () => {
    record(HISTORY);
    const s = statsFor('m', store.usage.totalsFor('m'), store.usage, undefined, false);
    expect([s.p50_ms, s.p95_ms, s.warm_p50_ms, s.warm_p95_ms, s.mean_ms]).toEqual([null, null, null, null, 2_500]);
  });
});

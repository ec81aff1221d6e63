import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usageRow } from '../support/usage.js';
import { openDatabase, type Db } from '../../daemon/store/db.js';
import { UsageRepo } from '../../daemon/store/usage-repo.js';

// The append-only usage table's bookkeeping by value: sums of a batch, the summaries saved beside
// the rows and read back, and which rows a client time may still complete.

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-usage-repo-'));
  db = openDatabase(dir).db;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const saved = () => db.prepare('SELECT upto_id, histograms FROM usage_summary').get();
const clientMs = () => db.prepare('SELECT id, client_ms FROM usage ORDER BY id').all();

describe('a batch\'s sums', () => {
  it('take the earliest and latest time whatever the order, and tokens only with a time of more than zero', () => {
    const usage = new UsageRepo(db);
    usage.record([
      usageRow({ ts: 3000, duration_ms: 10, eval_tokens: 10, eval_ms: 100 }),
      usageRow({ ts: 1000, duration_ms: 10, eval_tokens: 20, eval_ms: null }),
      usageRow({ ts: 5000, duration_ms: 10, eval_tokens: null, eval_ms: 50 }),
      usageRow({ ts: 2000, duration_ms: 10, eval_tokens: 30, eval_ms: 0 }),
      usageRow({ ts: 9000, duration_ms: 10, model: 'n', eval_tokens: 7, eval_ms: 70 }),
    ], 0);
    expect(usage.totalsFor('m')).toMatchObject({ count: 4, first_ts: 1000, last_ts: 5000, eval_tokens_sum: 10, eval_ms_sum: 100 });
    expect(usage.totalsFor('n')).toMatchObject({ count: 1, first_ts: 9000, last_ts: 9000, eval_tokens_sum: 7, eval_ms_sum: 70 });
    usage.record([usageRow({ ts: 500, duration_ms: 10 }), usageRow({ ts: 4000, duration_ms: 10 })], 0);
    expect(usage.totalsFor('m')).toMatchObject({ count: 6, first_ts: 500, last_ts: 5000 });
  });

  it('store the queue time given, and return each row\'s id', () => {
    const usage = new UsageRepo(db);
    expect(usage.insert(usageRow({ ts: 1, duration_ms: 5, queue_ms: 40 }))).toBe(1);
    expect(usage.insert(usageRow({ ts: 2, duration_ms: 5 }))).toBe(2);
    expect(db.prepare('SELECT queue_ms FROM usage ORDER BY id').pluck().all()).toEqual([40, null]);
    expect(usage.percentiles('nobody', 'timed', 3, [50, 95])).toStrictEqual([null, null]);
  });
});

describe('durations written inside a caller\'s transaction', () => {
  it('count once it has committed, with those written after it', () => {
    const usage = new UsageRepo(db);
    db.transaction(() => {
      usage.insert(usageRow({ ts: 1, duration_ms: 300 }));
      usage.insert(usageRow({ ts: 2, duration_ms: 100 }));
    })();
    usage.insert(usageRow({ ts: 3, duration_ms: 200 }));
    expect(usage.percentiles('m', 'timed', 3, [1, 50, 100])).toEqual([100, 200, 300]);
  });
});

describe('the saved histograms', () => {
  it('are saved every so many rows, whether written by the repository or read back after a caller\'s transaction', () => {
    const usage = new UsageRepo(db, 3);
    usage.insert(usageRow({ ts: 1, duration_ms: 100 }));
    usage.insert(usageRow({ ts: 2, duration_ms: 200, load_ms: 5000 }));
    expect(saved()).toBeUndefined();
    usage.insert(usageRow({ ts: 3, duration_ms: 300 }));
    expect(saved()).toEqual({ upto_id: 3, histograms: JSON.stringify({ m: { timed: [[462, 1, 100, 100], [532, 1, 200, 200], [573, 1, 300, 300]], warm: [[462, 1, 100, 100], [573, 1, 300, 300]] } }) });
    usage.insert(usageRow({ ts: 4, duration_ms: 100 }));
    usage.insert(usageRow({ ts: 5, duration_ms: 100 }));
    expect(saved()).toMatchObject({ upto_id: 3 });
    db.transaction(() => usage.insert(usageRow({ ts: 6, duration_ms: 100 })))();
    expect(saved()).toMatchObject({ upto_id: 3 });
    expect(usage.percentiles('m', 'warm', 5, [100])).toEqual([300]);
    expect(saved()).toMatchObject({ upto_id: 6 });
  });

  it('are read from the start when the table ends before them, as in a file restored from an older copy', () => {
    const first = new UsageRepo(db, 5);
    for (const [i, ms] of [500, 400, 300, 200, 100].entries()) first.insert(usageRow({ ts: i, duration_ms: ms }));
    expect(saved()).toMatchObject({ upto_id: 5 });
    db.prepare('DELETE FROM usage WHERE id > 3').run();
    const again = new UsageRepo(db, 5);
    expect(again.percentiles('m', 'timed', 3, [1, 100])).toEqual([300, 500]);
  });

  it('leave the photos they hold still to be completed by a client time after reopening', () => {
    const first = new UsageRepo(db, 2);
    first.insert(usageRow({ ts: 1, duration_ms: 100, photo_id: 'P' }));
    first.insert(usageRow({ ts: 2, duration_ms: 100, photo_id: 'Q' }));
    first.insert(usageRow({ ts: 3, duration_ms: 100 }));
    expect(saved()).toMatchObject({ upto_id: 2 });
    const again = new UsageRepo(db, 2);
    expect(again.fillClientMs('m', 'P', 0, 70)).toBe(true);
    expect(again.fillClientMs('m', 'Q', 0, 80)).toBe(true);
    expect(clientMs()).toEqual([{ id: 1, client_ms: 70 }, { id: 2, client_ms: 80 }, { id: 3, client_ms: null }]);
  });
});

describe('completing a photo\'s row with the client\'s time', () => {
  it('never takes a row without a photo, nor one completed already; the later of two at the same time first', () => {
    const usage = new UsageRepo(db);
    usage.insert(usageRow({ ts: 1, duration_ms: 1 }));
    expect(usage.fillClientMs('m', 'null', 0, 5)).toBe(false);
    usage.insert(usageRow({ ts: 5, duration_ms: 1, photo_id: 'P' }));
    usage.insert(usageRow({ ts: 5, duration_ms: 1, photo_id: 'P' }));
    expect(usage.fillClientMs('m', 'P', 0, 10)).toBe(true);
    expect(usage.fillClientMs('m', 'P', 0, 20)).toBe(true);
    expect(usage.fillClientMs('m', 'P', 0, 30)).toBe(false);
    expect(clientMs()).toEqual([{ id: 1, client_ms: null }, { id: 2, client_ms: 20 }, { id: 3, client_ms: 10 }]);
    // A row that came with its client time is complete.
    usage.insert(usageRow({ ts: 6, duration_ms: 1, photo_id: 'R', client_ms: 9 }));
    expect(usage.fillClientMs('m', 'R', 0, 40)).toBe(false);
    expect(usage.totalsFor('m')).toMatchObject({ client_count: 3, client_ms_sum: 39 });
  });

  it('stores a row that comes with its client time as its own through insert, completing none', () => {
    const usage = new UsageRepo(db);
    usage.insert(usageRow({ ts: 1, duration_ms: 1, photo_id: 'P' }));
    usage.insert(usageRow({ ts: 2, duration_ms: 1, photo_id: 'P', client_ms: 50 }));
    expect(clientMs()).toEqual([{ id: 1, client_ms: null }, { id: 2, client_ms: 50 }]);
  });

  it('forgets a photo 20,000 rows back, even one it was told of before the rows after it came', () => {
    const usage = new UsageRepo(db);
    usage.record([usageRow({ ts: 1, duration_ms: 1, photo_id: 'old' }), usageRow({ ts: 1, duration_ms: 1, photo_id: 'edge' })], 0);
    usage.record(Array.from({ length: 19_999 }, () => usageRow({ ts: 2, duration_ms: 1, model: 'other' })), 0);
    expect(usage.fillClientMs('m', 'old', 0, 1)).toBe(false);
    expect(usage.fillClientMs('m', 'edge', 0, 1)).toBe(true);
  });
});

describe('days', () => {
  it('count each UTC day\'s photos, faults, cold starts and warm percentiles, from the time asked', () => {
    const usage = new UsageRepo(db);
    const DAY = 86_400_000;
    usage.record([
      usageRow({ ts: DAY + 1, duration_ms: 100 }),
      usageRow({ ts: DAY + 2, duration_ms: 300 }),
      usageRow({ ts: DAY + 3, duration_ms: 200, load_ms: 1000 }),
      usageRow({ ts: DAY + 4, duration_ms: 900, load_ms: 1001 }),
      usageRow({ ts: DAY + 5, duration_ms: 5, success: false, error_code: 'IMAGE_NOT_FOUND' }),
      usageRow({ ts: DAY + 6, duration_ms: 5, success: false, error_code: 'MODEL_OUTPUT_INVALID' }),
      usageRow({ ts: DAY + 7, duration_ms: 1, cache_hit: true, load_ms: 5000 }),
      usageRow({ ts: DAY + 8, duration_ms: 50, kind: 'warmup' }),
      usageRow({ ts: 2 * DAY, duration_ms: 400 }),
      usageRow({ ts: 10, duration_ms: 400 }),
      usageRow({ ts: DAY + 9, duration_ms: 1, model: 'n' }),
    ], 0);
    expect(usage.daily('m', DAY)).toEqual([
      { day: '1970-01-02', photos: 7, successes: 5, failures: 1, caller_faults: 1, cold_starts: 1, warm_p50_ms: 200, warm_p95_ms: 300 },
      { day: '1970-01-03', photos: 1, successes: 1, failures: 0, caller_faults: 0, cold_starts: 0, warm_p50_ms: 400, warm_p95_ms: 400 },
    ]);
  });
});

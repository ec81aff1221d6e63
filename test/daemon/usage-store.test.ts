import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../daemon/compare/stats.js';
import { statsFor } from '../../daemon/models/statistics.js';
import { DB_FILE_NAME, openDatabase } from '../../daemon/store/db.js';
import { MIGRATIONS } from '../../daemon/store/migrations.js';
import { Store } from '../../daemon/store/store.js';
import { PENDING_CLIENT_ROWS, UsageRepo, type UsageInsert, type UsageTotals } from '../../daemon/store/usage-repo.js';

let dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'junmai-usage-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const row = (o: Partial<UsageInsert> & Pick<UsageInsert, 'model' | 'duration_ms'>): UsageInsert => ({
  ts: 1_700_000_000_000, photo_id: null, total_ms: null, load_ms: null, prompt_eval_ms: null, eval_ms: null, prompt_tokens: null,
  eval_tokens: null, success: true, error_code: null, ...o,
});

/** The nearest-rank percentile the statistics promise, the slow way. */
const exact = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
const PS = [1, 5, 10, 25, 50, 75, 90, 95, 99, 100];

function expectWithinOnePercent(repo: UsageRepo, model: string, series: 'timed' | 'warm', durations: number[]): void {
  const sorted = [...durations].sort((a, b) => a - b);
  const ours = repo.percentiles(model, series, sorted.length, PS);
  PS.forEach((p, i) => {
    const want = exact(sorted, p);
    const got = ours[i] as number;
    expect(Math.abs(got - want) / want, `${series} p${p}: ${got} vs exact ${want}`).toBeLessThanOrEqual(0.01);
  });
}

describe('usage percentiles from histograms', () => {
  it('stay within 1% of the exact nearest-rank values on distinct random durations, batch after batch and after reopening', () => {
    const dir = tempDir();
    const store = Store.open(dir);
    const rnd = seededRandom(18);
    const timed: number[] = [];
    const warm: number[] = [];
    let i = 0;
    // Batches of every size, so each one updates buckets other batches already filled.
    for (const size of [1, 7, 100, 250, 1, 1000, 33, 2500]) {
      const batch: UsageInsert[] = [];
      for (let k = 0; k < size; k++, i++) {
        // Log-uniform over 20 ms to 10 minutes, to the microsecond: hardly two alike.
        const duration = Math.round(20 * 30_000 ** rnd() * 1000) / 1000;
        const load = rnd() < 0.2 ? 1000 + rnd() * 9000 : rnd() < 0.5 ? null : rnd() * 1000;
        const ok = rnd() > 0.1;
        const cache = ok && rnd() < 0.05;
        batch.push(row({ model: 'gemma3:4b', duration_ms: duration, load_ms: load, success: ok, error_code: ok ? null : 'OLLAMA_ERROR', cache_hit: cache, photo_id: `P${i}` }));
        if (ok && !cache) {
          timed.push(duration);
          if (load === null || load <= 1000) warm.push(duration);
        }
      }
      store.usage.record(batch, 0);
      expectWithinOnePercent(store.usage, 'gemma3:4b', 'timed', timed);
      expectWithinOnePercent(store.usage, 'gemma3:4b', 'warm', warm);
    }
    const totals = store.usage.totalsFor('gemma3:4b') as UsageTotals;
    expect([totals.timed_successes, totals.warm_successes]).toEqual([timed.length, warm.length]);
    const before = statsFor('gemma3:4b', totals, store.usage);
    store.close();

    // Read back from the rows alone, then from a saved histogram plus the rows after it: the same figures.
    const again = Store.open(dir);
    expect(statsFor('gemma3:4b', again.usage.totalsFor('gemma3:4b'), again.usage)).toEqual(before);
    again.close();
    const { db } = openDatabase(dir);
    const saving = new UsageRepo(db, 1);
    saving.insert(row({ model: 'gemma3:4b', duration_ms: 0.5 }));
    expect(db.prepare('SELECT upto_id FROM usage_summary').pluck().get()).toBe(i + 1);
    db.close();
    const reopened = Store.open(dir);
    timed.push(0.5);
    warm.push(0.5);
    expectWithinOnePercent(reopened.usage, 'gemma3:4b', 'timed', timed);
    expectWithinOnePercent(reopened.usage, 'gemma3:4b', 'warm', warm);
    reopened.close();
  });

  it('give the exact value whenever the rank falls on the smallest or largest of its bucket', () => {
    const store = Store.open(tempDir());
    // 1000, 1000.5 and 1005 share a 1% bucket; 0 has one of its own. The middle one of three is
    // interpolated between the bucket's extremes: 1002.5 for 1000.5, 0.2% off.
    store.usage.record([1005, 1000, 0, 1000.5].map((d) => row({ model: 'm:1b', duration_ms: d })), 0);
    expect(store.usage.percentiles('m:1b', 'timed', 4, [25, 50, 75, 100])).toEqual([0, 1000, 1002.5, 1005]);
    expect(store.usage.successPercentile('m:1b', 4, 95)).toBe(1005);
    expect(store.usage.warmPercentile('nobody:1b', 0, 50)).toBeNull();
    store.close();
  });

  it('leave out the rows of a transaction that was rolled back', () => {
    const store = Store.open(tempDir());
    store.usage.insert(row({ model: 'm:1b', duration_ms: 100, photo_id: 'kept' }));
    expect(() =>
      store.transaction(() => {
        store.usage.insert(row({ model: 'm:1b', duration_ms: 99_000, photo_id: 'gone' }));
        throw new Error('caller gives up');
      }),
    ).toThrow('caller gives up');
    store.usage.insert(row({ model: 'm:1b', duration_ms: 200, photo_id: 'after' }));
    expect(store.usage.totalsFor('m:1b')?.timed_successes).toBe(2);
    expect(store.usage.percentiles('m:1b', 'timed', 2, [50, 100])).toEqual([100, 200]);
    expect(store.usage.fillClientMs('m:1b', 'gone', 0, 5)).toBe(false);
    expect(store.usage.fillClientMs('m:1b', 'after', 0, 5)).toBe(true);
    store.close();
  });
});

describe('fillClientMs on the append-only table', () => {
  const clientMsById = (store: Store) =>
    (store as unknown as { db: Database.Database }).db.prepare('SELECT id, client_ms FROM usage ORDER BY id').all();

  it('fills the newest row (by time, then id) of that model and photo still without client_ms, since the given time', () => {
    const dir = tempDir();
    let store = Store.open(dir);
    store.usage.record([
      row({ model: 'a:1b', duration_ms: 1, photo_id: 'P', ts: 1000 }), // 1
      row({ model: 'a:1b', duration_ms: 1, photo_id: 'P', ts: 3000 }), // 2: newest
      row({ model: 'a:1b', duration_ms: 1, photo_id: 'P', ts: 2000 }), // 3
      row({ model: 'b:1b', duration_ms: 1, photo_id: 'P', ts: 9000 }), // 4: another model
      row({ model: 'a:1b', duration_ms: 1, photo_id: 'Q', ts: 9000 }), // 5: another photo
      row({ model: 'a:1b', duration_ms: 1, photo_id: 'P', ts: 2000, kind: 'warmup' }), // 6: not a photo
    ], 0);
    expect(store.usage.fillClientMs('a:1b', 'P', 1500, 10)).toBe(true);
    expect(store.usage.fillClientMs('a:1b', 'P', 1500, 20)).toBe(true);
    // Row 1 is older than the window; reopened, the store finds its rows again from the table.
    expect(store.usage.fillClientMs('a:1b', 'P', 1500, 30)).toBe(false);
    store.close();
    store = Store.open(dir);
    expect(store.usage.fillClientMs('a:1b', 'P', 0, 40)).toBe(true);
    expect(store.usage.fillClientMs('a:1b', 'P', 0, 50)).toBe(false);
    expect(clientMsById(store)).toEqual([
      { id: 1, client_ms: 40 }, { id: 2, client_ms: 10 }, { id: 3, client_ms: 20 }, { id: 4, client_ms: null }, { id: 5, client_ms: null }, { id: 6, client_ms: null },
    ]);
    expect(store.usage.totalsFor('a:1b')).toMatchObject({ client_count: 3, client_ms_sum: 70 });
    expect(store.usage.totalsFor('b:1b')).toMatchObject({ client_count: 0, client_ms_sum: 0 });
    store.close();
  });

  it('completes a row written earlier in the same batch, and a caller\'s open transaction', () => {
    const store = Store.open(tempDir());
    store.usage.record([row({ model: 'a:1b', duration_ms: 1, photo_id: 'P' }), row({ model: 'a:1b', duration_ms: 1, photo_id: 'P', client_ms: 700 })], 0);
    expect(clientMsById(store)).toEqual([{ id: 1, client_ms: 700 }]);
    store.transaction(() => {
      store.usage.insert(row({ model: 'a:1b', duration_ms: 1, photo_id: 'R' }));
      expect(store.usage.fillClientMs('a:1b', 'R', 0, 800)).toBe(true);
    });
    expect(clientMsById(store)).toEqual([{ id: 1, client_ms: 700 }, { id: 2, client_ms: 800 }]);
    expect(store.usage.totalsFor('a:1b')).toMatchObject({ count: 2, client_count: 2, client_ms_sum: 1500 });
    store.close();
  });

  it(`looks back ${PENDING_CLIENT_ROWS.toLocaleString('en-US')} rows and no further`, () => {
    const store = Store.open(tempDir());
    const filler = (n: number) => Array.from({ length: n }, () => row({ model: 'other:1b', duration_ms: 1 }));
    store.usage.record([row({ model: 'a:1b', duration_ms: 1, photo_id: 'old' }), row({ model: 'a:1b', duration_ms: 1, photo_id: 'edge' }), ...filler(PENDING_CLIENT_ROWS - 1)], 0);
    expect(store.usage.fillClientMs('a:1b', 'old', 0, 1)).toBe(false);
    expect(store.usage.fillClientMs('a:1b', 'edge', 0, 1)).toBe(true);
    store.close();
  });
});

describe('usage totals kept per batch', () => {
  it('count the model\'s faults as failures and the caller\'s apart, cache hits and warm-ups out of the durations', () => {
    const store = Store.open(tempDir());
    const m = 'q:7b';
    store.usage.record([
      row({ model: m, duration_ms: 2000, load_ms: 50 }),
      row({ model: m, duration_ms: 4000, load_ms: 3000 }), // cold
      row({ model: m, duration_ms: 9000, success: false, error_code: 'MODEL_OUTPUT_INVALID' }),
      row({ model: m, duration_ms: 8000, success: false, error_code: 'OLLAMA_ERROR' }),
      row({ model: m, duration_ms: 5, success: false, error_code: 'IMAGE_NOT_FOUND' }),
      row({ model: m, duration_ms: 5, success: false, error_code: 'OLLAMA_UNREACHABLE' }),
      row({ model: m, duration_ms: 3, success: true, cache_hit: true }),
      row({ model: m, duration_ms: 7000, kind: 'warmup', load_ms: 6900 }),
      row({ model: m, duration_ms: 10, kind: 'warmup', success: false, error_code: 'OLLAMA_UNREACHABLE' }),
    ], 0);
    const s = statsFor(m, store.usage.totalsFor(m), store.usage);
    expect(s).toMatchObject({
      count: 7, successes: 3, failures: 2, caller_faults: 2, success_rate: 0.6, cache_hits: 1, cold_starts: 1,
      mean_ms: 3000, p50_ms: 2000, p95_ms: 4000, warm_mean_ms: 2000, warm_p50_ms: 2000, warm_p95_ms: 2000, warmups: 2, mean_warmup_ms: 7000,
    });
    store.close();
  });

  it('leave the usage table with no index and no trigger: a row costs the same at any size', () => {
    const dir = tempDir();
    Store.open(dir).close();
    const db = new Database(join(dir, DB_FILE_NAME), { readonly: true });
    expect(db.prepare("SELECT type, name FROM sqlite_master WHERE tbl_name = 'usage' AND type IN ('index', 'trigger')").all()).toEqual([]);
    db.close();
  });
});

describe('migration 9 (append-only usage)', () => {
  it('brings a file of the previous schema through with the same totals, percentiles within 1% and client_ms still finding its row', () => {
    const dir = tempDir();
    const old = new Database(join(dir, DB_FILE_NAME));
    MIGRATIONS.slice(0, 7).forEach((step, i) => {
      old.exec(step);
      old.pragma(`user_version = ${i + 1}`);
    });
    const ins = old.prepare(
      `INSERT INTO usage (ts, model, photo_id, duration_ms, load_ms, eval_ms, eval_tokens, success, error_code, kind, cache_hit, client_ms, fault)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const rnd = seededRandom(8);
    const models = ['gemma3:4b', 'llava:7b'];
    old.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        const kind = rnd() < 0.05 ? 'warmup' : 'inference';
        const ok = rnd() > 0.15;
        const code = ok ? null : rnd() < 0.5 ? 'IMAGE_UNREADABLE' : 'OLLAMA_ERROR';
        ins.run(1_700_000_000_000 + i, models[i % 2], kind === 'warmup' ? null : `P${i % 1000}`, Math.round(rnd() * 9_000_000) / 1000,
          rnd() < 0.3 ? rnd() * 3000 : null, 800, 40, ok ? 1 : 0, code, kind, kind === 'inference' && ok && rnd() < 0.1 ? 1 : 0,
          rnd() < 0.1 ? 1234 : null, ok ? null : code === 'IMAGE_UNREADABLE' ? 'caller' : 'model');
      }
    })();
    // client_ms reported the old way, through the old trigger.
    old.prepare("UPDATE usage SET client_ms = 999 WHERE id IN (10, 20, 30) AND kind = 'inference'").run();
    const totalsBefore = old.prepare('SELECT * FROM usage_totals ORDER BY model').all();
    const durations = (model: string, warm: boolean) =>
      old.prepare(`SELECT duration_ms FROM usage WHERE model = ? AND kind = 'inference' AND cache_hit = 0 AND success = 1 ${warm ? 'AND (load_ms IS NULL OR load_ms <= 1000)' : ''}`).pluck().all(model) as number[];
    const series = models.map((m) => ({ m, timed: durations(m, false), warm: durations(m, true) }));
    const newest = old.prepare("SELECT id FROM usage WHERE model = 'gemma3:4b' AND photo_id = 'P998' AND kind = 'inference' AND client_ms IS NULL ORDER BY ts DESC, id DESC LIMIT 1").pluck().get();
    old.close();

    const store = Store.open(dir);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    expect(store.usage.totals()).toEqual(totalsBefore);
    for (const { m, timed, warm } of series) {
      expectWithinOnePercent(store.usage, m, 'timed', timed);
      expectWithinOnePercent(store.usage, m, 'warm', warm);
    }
    expect(store.usage.fillClientMs('gemma3:4b', 'P998', 0, 4321)).toBe(true);
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.prepare('SELECT id FROM usage WHERE client_ms = 4321').pluck().all()).toEqual([newest]);
    store.close();
  });
});

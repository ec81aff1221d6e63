import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../daemon/store/db.js';
import { MIGRATIONS } from '../../daemon/store/migrations.js';
import { Store } from '../../daemon/store/store.js';
import type { UsageInsert, UsageTotals } from '../../daemon/store/usage-repo.js';
import { seededRandom } from '../../daemon/compare/stats.js';

interface Row {
  model: string;
  ts: number;
  kind: string;
  cache_hit: number;
  success: number;
  duration_ms: number;
  load_ms: number | null;
  eval_ms: number | null;
  eval_tokens: number | null;
  client_ms: number | null;
  fault: string | null;
}

/** The totals computed the slow way, in JavaScript, from the rows: what the trigger must agree with. */
function expectedTotals(rows: Row[]): Map<string, Omit<UsageTotals, 'model'>> {
  const out = new Map<string, Omit<UsageTotals, 'model'>>();
  for (const r of rows) {
    const t = out.get(r.model) ?? {
      count: 0, successes: 0, cache_hits: 0, timed_successes: 0, success_ms_sum: 0, load_ms_sum: 0, load_count: 0, cold_starts: 0,
      warm_successes: 0, warm_ms_sum: 0, eval_tokens_sum: 0, eval_ms_sum: 0, client_count: 0, client_ms_sum: 0, warmups: 0,
      warmup_failures: 0, warmup_ms_sum: 0, first_ts: null, last_ts: null, caller_faults: 0,
    };
    out.set(r.model, t);
    if (r.kind === 'warmup') {
      t.warmups++;
      if (!r.success) t.warmup_failures++;
      else t.warmup_ms_sum += r.duration_ms;
      continue;
    }
    t.count++;
    t.first_ts = t.first_ts === null ? r.ts : Math.min(t.first_ts, r.ts);
    t.last_ts = t.last_ts === null ? r.ts : Math.max(t.last_ts, r.ts);
    if (r.success) t.successes++;
    if (r.fault === 'caller') t.caller_faults++;
    if (r.client_ms !== null) {
      t.client_count++;
      t.client_ms_sum += r.client_ms;
    }
    if (r.cache_hit) {
      t.cache_hits++;
      continue;
    }
    const warm = r.load_ms === null || r.load_ms <= 1000;
    if (r.load_ms !== null) {
      t.load_ms_sum += r.load_ms;
      t.load_count++;
      if (r.load_ms > 1000) t.cold_starts++;
    }
    if (r.success) {
      t.timed_successes++;
      t.success_ms_sum += r.duration_ms;
      if (warm) {
        t.warm_successes++;
        t.warm_ms_sum += r.duration_ms;
      }
    }
    if (r.eval_tokens !== null && (r.eval_ms ?? 0) > 0) {
      t.eval_tokens_sum += r.eval_tokens;
      t.eval_ms_sum += r.eval_ms ?? 0;
    }
  }
  return out;
}

function compare(db: Database.Database): void {
  const rows = db.prepare('SELECT * FROM usage').all() as Row[];
  const want = expectedTotals(rows);
  const have = db.prepare('SELECT * FROM usage_totals ORDER BY model').all() as UsageTotals[];
  expect(have.map((h) => h.model).sort()).toEqual([...want.keys()].sort());
  for (const h of have) {
    const { model, ...rest } = h;
    const w = want.get(model) as Record<string, number | null>;
    for (const [k, v] of Object.entries(rest)) {
      if (typeof v === 'number' && typeof w[k] === 'number') expect(v, `${model}.${k}`).toBeCloseTo(w[k] as number, 6);
      else expect(v, `${model}.${k}`).toEqual(w[k]);
    }
  }
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});


describe('migration 2', () => {
  it('upgrades a version-1 file: old rows become photos, totals are rebuilt to match them', () => {
    dir = mkdtempSync(join(tmpdir(), 'junmai-mig-'));
    const v1 = new Database(join(dir, DB_FILE_NAME));
    v1.exec(MIGRATIONS[0] as string);
    v1.pragma('user_version = 1');
    const ins = v1.prepare('INSERT INTO usage (ts, model, photo_id, duration_ms, load_ms, eval_ms, eval_tokens, success, error_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const rnd = seededRandom(7);
    const failures = { IMAGE_NOT_FOUND: 0, OLLAMA_ERROR: 0 };
    for (let i = 0; i < 500; i++) {
      const ok = rnd() > 0.1;
      const code = ok ? null : i % 3 === 0 ? 'IMAGE_NOT_FOUND' : 'OLLAMA_ERROR';
      if (code) failures[code]++;
      ins.run(1_700_000_000_000 + i * 1000, ['gemma3:4b', 'llava:7b'][i % 2], `IMG_${i}`, 500 + rnd() * 5000, rnd() > 0.5 ? (rnd() > 0.8 ? 2500 : 15) : null, 1000, 40, ok ? 1 : 0, code);
    }
    v1.close();

    const store = Store.open(dir);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    const db = new Database(join(dir, DB_FILE_NAME), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM usage WHERE kind = 'inference' AND cache_hit = 0").pluck().get()).toBe(500);
      compare(db);
      // Rows from before the fault column are classified by their codes.
      expect(db.prepare("SELECT error_code, fault, count(*) AS n FROM usage WHERE success = 0 GROUP BY 1, 2 ORDER BY 1").all()).toEqual([
        { error_code: 'IMAGE_NOT_FOUND', fault: 'caller', n: failures.IMAGE_NOT_FOUND },
        { error_code: 'OLLAMA_ERROR', fault: 'model', n: failures.OLLAMA_ERROR },
      ]);
      // Percentiles after the upgrade walk the new index and agree with a sort.
      const durations = (db.prepare("SELECT duration_ms FROM usage WHERE model = 'gemma3:4b' AND success = 1 ORDER BY duration_ms").pluck().all() as number[]);
      const totals = store.usage.totalsFor('gemma3:4b') as UsageTotals;
      expect(store.usage.successPercentile('gemma3:4b', totals.timed_successes, 50)).toBe(durations[Math.ceil(durations.length / 2) - 1]);
    } finally {
      db.close();
      store.close();
    }
  });

  it('keeps usage_totals equal to the rows through any mix of photos, cache hits, warm-ups and client_ms reports', () => {
    dir = mkdtempSync(join(tmpdir(), 'junmai-mig-'));
    const store = Store.open(dir);
    const rnd = seededRandom(42);
    const models = ['gemma3:4b', 'qwen2.5vl:7b', 'moondream:1.8b'];
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)] as T;
    store.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const kind = rnd() < 0.1 ? 'warmup' : 'inference';
        const cache = kind === 'inference' && rnd() < 0.2;
        // The first row of a model may be a caller's fault: whichever trigger fires first creates its totals.
        const row: UsageInsert = {
          ts: 1_700_000_000_000 + Math.floor(rnd() * 1e9), model: pick(models), photo_id: kind === 'warmup' ? null : `P${Math.floor(rnd() * 300)}`,
          duration_ms: rnd() * 8000, total_ms: null, load_ms: cache ? null : pick([null, 12, 900, 1000, 1001, 4000]),
          prompt_eval_ms: null, eval_ms: pick([null, 0, 800]), prompt_tokens: null, eval_tokens: pick([null, 0, 50]),
          success: rnd() > 0.15, error_code: pick([null, 'OLLAMA_ERROR', 'IMAGE_UNREADABLE', 'OLLAMA_UNREACHABLE']), kind, cache_hit: cache, client_ms: rnd() < 0.1 ? rnd() * 9000 : null,
        };
        store.usage.insert(row);
        if (rnd() < 0.2) store.usage.fillClientMs(pick(models), `P${Math.floor(rnd() * 300)}`, 0, Math.round(rnd() * 9000));
      }
    });
    const db = new Database(join(dir, DB_FILE_NAME), { readonly: true });
    try {
      compare(db);
    } finally {
      db.close();
      store.close();
    }
  });
});

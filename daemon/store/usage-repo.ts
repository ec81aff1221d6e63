import { faultOf } from '../errors.js';
import type { Db } from './db.js';

/** A photo evaluated by a model, or a model load the daemon asked for before the first photo. */
export type UsageKind = 'inference' | 'warmup';

/** Above this reported load time an inference was a cold start (the model had to be loaded). */
export const COLD_START_LOAD_MS = 1000;

/** One inference as stored: model already canonical, ts in ms since the epoch. */
export interface UsageInsert {
  ts: number;
  model: string;
  photo_id: string | null;
  duration_ms: number;
  total_ms: number | null;
  load_ms: number | null;
  prompt_eval_ms: number | null;
  eval_ms: number | null;
  prompt_tokens: number | null;
  eval_tokens: number | null;
  success: boolean;
  error_code: string | null;
  /** 'inference' when absent. */
  kind?: UsageKind;
  cache_hit?: boolean;
  client_ms?: number | null;
  queue_ms?: number | null;
}

/** Running sums per model (see migrations 2 and 3 for what each one counts). */
export interface UsageTotals {
  model: string;
  count: number;
  successes: number;
  cache_hits: number;
  timed_successes: number;
  success_ms_sum: number;
  load_ms_sum: number;
  load_count: number;
  cold_starts: number;
  warm_successes: number;
  warm_ms_sum: number;
  eval_tokens_sum: number;
  eval_ms_sum: number;
  client_count: number;
  client_ms_sum: number;
  warmups: number;
  warmup_failures: number;
  warmup_ms_sum: number;
  /** Failed photos that were not the model's fault (daemon/errors.ts NOT_THE_MODEL). */
  caller_faults: number;
  first_ts: number | null;
  last_ts: number | null;
}

/** One UTC day of a model's photos, as the dashboard charts them. */
export interface UsageDay {
  day: string;
  photos: number;
  successes: number;
  failures: number;
  caller_faults: number;
  cold_starts: number;
  warm_p50_ms: number | null;
  warm_p95_ms: number | null;
}

export class UsageRepo {
  private readonly insertStmt;
  private readonly dailyStmt;
  private readonly totalsStmt;
  private readonly totalsForStmt;
  private readonly nthSuccessStmt;
  private readonly nthWarmStmt;
  private readonly fillClientStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO usage (ts, model, photo_id, duration_ms, total_ms, load_ms, prompt_eval_ms, eval_ms, prompt_tokens, eval_tokens, success, error_code,
                          kind, cache_hit, client_ms, queue_ms, fault)
       VALUES (@ts, @model, @photo_id, @duration_ms, @total_ms, @load_ms, @prompt_eval_ms, @eval_ms, @prompt_tokens, @eval_tokens, @success, @error_code,
               @kind, @cache_hit, @client_ms, @queue_ms, @fault)`,
    );
    this.totalsStmt = db.prepare<[], UsageTotals>('SELECT * FROM usage_totals ORDER BY model');
    this.totalsForStmt = db.prepare<[string], UsageTotals>('SELECT * FROM usage_totals WHERE model = ?');
    // The WHERE clauses repeat the partial indexes' conditions word for word: that is how SQLite knows it may use them.
    this.nthSuccessStmt = db
      .prepare<[string, number], number>(
        `SELECT duration_ms FROM usage WHERE model = ? AND kind = 'inference' AND cache_hit = 0 AND success = 1
         ORDER BY duration_ms LIMIT 1 OFFSET ?`,
      )
      .pluck();
    this.nthWarmStmt = db
      .prepare<[string, number], number>(
        `SELECT duration_ms FROM usage WHERE model = ? AND kind = 'inference' AND cache_hit = 0 AND success = 1 AND (load_ms IS NULL OR load_ms <= 1000)
         ORDER BY duration_ms LIMIT 1 OFFSET ?`,
      )
      .pluck();
    // Counted as usage_totals counts them (migration 2's trigger): a cold start is a load over 1 s outside the cache,
    // a warm photo a success outside the cache with no such load; percentiles are nearest-rank, as successPercentile's.
    this.dailyStmt = db.prepare<[string, number], UsageDay>(
      `WITH photos AS (
         SELECT date(ts / 1000, 'unixepoch') AS day, duration_ms, success, fault, cache_hit, load_ms
         FROM usage WHERE model = ? AND kind = 'inference' AND ts >= ?),
       warm AS (
         SELECT day, duration_ms, row_number() OVER (PARTITION BY day ORDER BY duration_ms) AS rank, count(*) OVER (PARTITION BY day) AS n
         FROM photos WHERE success = 1 AND cache_hit = 0 AND (load_ms IS NULL OR load_ms <= 1000))
       SELECT day, count(*) AS photos, sum(success) AS successes,
              sum(fault IS 'model') AS failures, sum(fault IS 'caller') AS caller_faults,
              sum(cache_hit = 0 AND coalesce(load_ms, 0) > 1000) AS cold_starts,
              (SELECT duration_ms FROM warm w WHERE w.day = p.day AND w.rank = max(1, (50 * w.n + 99) / 100)) AS warm_p50_ms,
              (SELECT duration_ms FROM warm w WHERE w.day = p.day AND w.rank = max(1, (95 * w.n + 99) / 100)) AS warm_p95_ms
       FROM photos p GROUP BY day ORDER BY day`,
    );
    this.fillClientStmt = db.prepare<[number, string, string, number]>(
      `UPDATE usage SET client_ms = ? WHERE id = (
         SELECT id FROM usage WHERE photo_id = ? AND model = ? AND ts >= ? AND kind = 'inference' AND client_ms IS NULL
         ORDER BY ts DESC, id DESC LIMIT 1)`,
    );
  }

  /** Callers wrap batches in Store.transaction so a batch lands whole or not at all. */
  insert(r: UsageInsert): number {
    return Number(
      this.insertStmt.run({
        ...r,
        success: r.success ? 1 : 0,
        kind: r.kind ?? 'inference',
        cache_hit: r.cache_hit ? 1 : 0,
        client_ms: r.client_ms ?? null,
        queue_ms: r.queue_ms ?? null,
        // Decided here, where every row passes, so that the daemon's rows and a client's are judged alike.
        fault: faultOf(r.success, r.error_code),
      }).lastInsertRowid,
    );
  }

  /**
   * Puts the plugin's end-to-end time into the latest photo row of this model and photo since
   * `sinceTs` that has none yet. False when there is no such row (the caller inserts one instead).
   */
  fillClientMs(model: string, photoId: string, sinceTs: number, clientMs: number): boolean {
    return this.fillClientStmt.run(clientMs, photoId, model, sinceTs).changes > 0;
  }

  /** The model's photos per UTC day from `sinceTs` on, oldest first; days without a photo are left out. */
  daily(model: string, sinceTs: number): UsageDay[] {
    return this.dailyStmt.all(model, sinceTs);
  }

  totals(): UsageTotals[] {
    return this.totalsStmt.all();
  }

  totalsFor(model: string): UsageTotals | undefined {
    return this.totalsForStmt.get(model);
  }

  /**
   * The nearest-rank percentile of successful durations of photos that ran the model, read by
   * walking an index rather than sorting: failures are excluded because a refused photo that fails
   * in milliseconds says nothing about how long a photo takes, and so are cache hits and warm-ups.
   * `successes` is the count of such rows (UsageTotals.timed_successes).
   */
  successPercentile(model: string, successes: number, p: number): number | null {
    return nth(this.nthSuccessStmt, model, successes, p);
  }

  /** The same over warm inferences only (load at most COLD_START_LOAD_MS); `warm` is UsageTotals.warm_successes. */
  warmPercentile(model: string, warm: number, p: number): number | null {
    return nth(this.nthWarmStmt, model, warm, p);
  }
}

function nth(stmt: { get(model: string, offset: number): number | undefined }, model: string, n: number, p: number): number | null {
  if (n <= 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return stmt.get(model, rank - 1) ?? null;
}

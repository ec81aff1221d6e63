import type { Db } from './db.js';

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
}

export interface UsageTotals {
  model: string;
  count: number;
  successes: number;
  success_ms_sum: number;
  load_ms_sum: number;
  load_count: number;
  eval_tokens_sum: number;
  eval_ms_sum: number;
  first_ts: number;
  last_ts: number;
}

export class UsageRepo {
  private readonly insertStmt;
  private readonly totalsStmt;
  private readonly totalsForStmt;
  private readonly nthSuccessStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO usage (ts, model, photo_id, duration_ms, total_ms, load_ms, prompt_eval_ms, eval_ms, prompt_tokens, eval_tokens, success, error_code)
       VALUES (@ts, @model, @photo_id, @duration_ms, @total_ms, @load_ms, @prompt_eval_ms, @eval_ms, @prompt_tokens, @eval_tokens, @success, @error_code)`,
    );
    this.totalsStmt = db.prepare<[], UsageTotals>('SELECT * FROM usage_totals ORDER BY model');
    this.totalsForStmt = db.prepare<[string], UsageTotals>('SELECT * FROM usage_totals WHERE model = ?');
    this.nthSuccessStmt = db
      .prepare<[string, number], number>(
        'SELECT duration_ms FROM usage WHERE model = ? AND success = 1 ORDER BY duration_ms LIMIT 1 OFFSET ?',
      )
      .pluck();
  }

  /** Callers wrap batches in Store.transaction so a batch lands whole or not at all. */
  insert(r: UsageInsert): number {
    return Number(this.insertStmt.run({ ...r, success: r.success ? 1 : 0 }).lastInsertRowid);
  }

  totals(): UsageTotals[] {
    return this.totalsStmt.all();
  }

  totalsFor(model: string): UsageTotals | undefined {
    return this.totalsForStmt.get(model);
  }

  /**
   * The nearest-rank percentile of successful durations, read by walking the (model, success,
   * duration) index rather than sorting: failures are excluded because a refused photo that fails
   * in milliseconds says nothing about how long a photo takes.
   */
  successPercentile(model: string, successes: number, p: number): number | null {
    if (successes <= 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * successes));
    return this.nthSuccessStmt.get(model, rank - 1) ?? null;
  }
}

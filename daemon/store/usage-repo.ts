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

/** Running sums per model (see migrations 2, 6 and 8 for what each one counts). */
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

/** Which durations a histogram describes: every timed success, or the warm ones only. */
export type UsageSeries = 'timed' | 'warm';

/** Ratio of a histogram bucket's upper bound to its lower one: a percentile is within 1% of the exact one. */
const BUCKET_GROWTH = 1.01;
const LN_GROWTH = Math.log(BUCKET_GROWTH);
/** Zero durations sort below every positive one (1.01^-100000 is far below the smallest double). */
const ZERO_BUCKET = -100_000;
/** How far back (in usage rows) a client_ms report may complete a photo's row; migration 8 uses the same figure. */
export const PENDING_CLIENT_ROWS = 100_000;

/** The histogram bucket of a duration; migration 8 computes the same in SQL. */
function bucketOf(ms: number): number {
  return ms > 0 ? Math.floor(Math.log(ms) / LN_GROWTH) : ZERO_BUCKET;
}

const TOTALS_COLUMNS = [
  'count', 'successes', 'cache_hits', 'timed_successes', 'success_ms_sum', 'load_ms_sum', 'load_count', 'cold_starts',
  'warm_successes', 'warm_ms_sum', 'eval_tokens_sum', 'eval_ms_sum', 'client_count', 'client_ms_sum', 'warmups',
  'warmup_failures', 'warmup_ms_sum', 'caller_faults',
] as const;
type Sums = Record<(typeof TOTALS_COLUMNS)[number], number> & { first_ts: number | null; last_ts: number | null };

const emptySums = (): Sums => ({
  count: 0, successes: 0, cache_hits: 0, timed_successes: 0, success_ms_sum: 0, load_ms_sum: 0, load_count: 0, cold_starts: 0,
  warm_successes: 0, warm_ms_sum: 0, eval_tokens_sum: 0, eval_ms_sum: 0, client_count: 0, client_ms_sum: 0, warmups: 0,
  warmup_failures: 0, warmup_ms_sum: 0, caller_faults: 0, first_ts: null, last_ts: null,
});

interface Bucket {
  model: string;
  series: UsageSeries;
  bucket: number;
  n: number;
  min: number;
  max: number;
}

/** What one batch adds to the summaries, gathered in memory and written once at its end. */
class BatchSummary {
  readonly totals = new Map<string, Sums>();
  readonly buckets = new Map<string, Bucket>();

  add(r: UsageInsert, fault: string | null): void {
    let t = this.totals.get(r.model);
    if (!t) this.totals.set(r.model, (t = emptySums()));
    if (r.kind === 'warmup') {
      t.warmups++;
      if (r.success) t.warmup_ms_sum += r.duration_ms;
      else t.warmup_failures++;
      return;
    }
    t.count++;
    t.first_ts = t.first_ts === null ? r.ts : Math.min(t.first_ts, r.ts);
    t.last_ts = t.last_ts === null ? r.ts : Math.max(t.last_ts, r.ts);
    if (r.success) t.successes++;
    if (fault === 'caller') t.caller_faults++;
    if (r.client_ms != null) {
      t.client_count++;
      t.client_ms_sum += r.client_ms;
    }
    if (r.cache_hit) {
      t.cache_hits++;
      return;
    }
    if (r.load_ms !== null) {
      t.load_ms_sum += r.load_ms;
      t.load_count++;
      if (r.load_ms > COLD_START_LOAD_MS) t.cold_starts++;
    }
    if (r.eval_tokens !== null && r.eval_ms !== null && r.eval_ms > 0) {
      t.eval_tokens_sum += r.eval_tokens;
      t.eval_ms_sum += r.eval_ms;
    }
    if (!r.success) return;
    t.timed_successes++;
    t.success_ms_sum += r.duration_ms;
    this.addDuration(r.model, 'timed', r.duration_ms);
    if (r.load_ms === null || r.load_ms <= COLD_START_LOAD_MS) {
      t.warm_successes++;
      t.warm_ms_sum += r.duration_ms;
      this.addDuration(r.model, 'warm', r.duration_ms);
    }
  }

  private addDuration(model: string, series: UsageSeries, ms: number): void {
    const bucket = bucketOf(ms);
    const key = `${series}\u0000${bucket}\u0000${model}`;
    const b = this.buckets.get(key);
    if (!b) this.buckets.set(key, { model, series, bucket, n: 1, min: ms, max: ms });
    else {
      b.n++;
      if (ms < b.min) b.min = ms;
      if (ms > b.max) b.max = ms;
    }
  }
}

/**
 * The usage table is append-only and unindexed so that an insert costs the same at ten rows as at
 * ten million; everything read from it is kept beside it, batch by batch, in the same transaction
 * (migration 8): running totals per model, duration histograms for the percentiles, and the recent
 * photo rows a client_ms report may still complete.
 */
export class UsageRepo {
  private readonly insertStmt;
  private readonly pendingStmt;
  private readonly prunePendingStmt;
  private readonly totalsUpsertStmt;
  private readonly bucketUpsertStmt;
  private readonly totalsStmt;
  private readonly totalsForStmt;
  private readonly histogramStmt;
  private readonly findPendingStmt;
  private readonly fillClientStmt;
  private readonly donePendingStmt;
  private readonly clientTotalsStmt;
  private readonly batch;
  private readonly fill;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO usage (ts, model, photo_id, duration_ms, total_ms, load_ms, prompt_eval_ms, eval_ms, prompt_tokens, eval_tokens, success, error_code,
                          kind, cache_hit, client_ms, queue_ms, fault)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.pendingStmt = db.prepare<[number, string, string, number]>('INSERT INTO usage_pending_client (usage_id, photo_id, model, ts) VALUES (?, ?, ?, ?)');
    this.prunePendingStmt = db.prepare<[number]>('DELETE FROM usage_pending_client WHERE usage_id <= ?');
    this.totalsUpsertStmt = db.prepare(
      `INSERT INTO usage_totals (model, ${TOTALS_COLUMNS.join(', ')}, first_ts, last_ts)
       VALUES (?, ${TOTALS_COLUMNS.map(() => '?').join(', ')}, ?, ?)
       ON CONFLICT (model) DO UPDATE SET
         ${TOTALS_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(',\n         ')},
         -- min()/max() of a NULL is NULL; coalesce keeps whichever side has a photo.
         first_ts = coalesce(min(first_ts, excluded.first_ts), first_ts, excluded.first_ts),
         last_ts = coalesce(max(last_ts, excluded.last_ts), last_ts, excluded.last_ts)`,
    );
    this.bucketUpsertStmt = db.prepare<[string, UsageSeries, number, number, number, number]>(
      `INSERT INTO usage_histogram (model, series, bucket, n, min_ms, max_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (model, series, bucket) DO UPDATE SET
         n = n + excluded.n, min_ms = min(min_ms, excluded.min_ms), max_ms = max(max_ms, excluded.max_ms)`,
    );
    this.totalsStmt = db.prepare<[], UsageTotals>('SELECT * FROM usage_totals ORDER BY model');
    this.totalsForStmt = db.prepare<[string], UsageTotals>('SELECT * FROM usage_totals WHERE model = ?');
    this.histogramStmt = db
      .prepare<[string, UsageSeries], [number, number, number]>('SELECT n, min_ms, max_ms FROM usage_histogram WHERE model = ? AND series = ? ORDER BY bucket')
      .raw();
    this.findPendingStmt = db
      .prepare<[string, string, number], number>(
        `SELECT usage_id FROM usage_pending_client WHERE photo_id = ? AND model = ? AND ts >= ?
         ORDER BY ts DESC, usage_id DESC LIMIT 1`,
      )
      .pluck();
    this.fillClientStmt = db.prepare<[number, number]>('UPDATE usage SET client_ms = ? WHERE id = ?');
    this.donePendingStmt = db.prepare<[number]>('DELETE FROM usage_pending_client WHERE usage_id = ?');
    // An upsert, as the model's totals row may still be waiting for the end of the batch.
    this.clientTotalsStmt = db.prepare<[string, number]>(
      `INSERT INTO usage_totals (model, ${TOTALS_COLUMNS.join(', ')}, first_ts, last_ts)
       VALUES (?, ${TOTALS_COLUMNS.map((c) => (c === 'client_count' ? '1' : c === 'client_ms_sum' ? '?' : '0')).join(', ')}, NULL, NULL)
       ON CONFLICT (model) DO UPDATE SET client_count = client_count + 1, client_ms_sum = client_ms_sum + excluded.client_ms_sum`,
    );

    this.fill = db.transaction((model: string, photoId: string, sinceTs: number, clientMs: number): boolean => {
      const id = this.findPendingStmt.get(photoId, model, sinceTs);
      if (id === undefined) return false;
      this.fillClientStmt.run(clientMs, id);
      this.donePendingStmt.run(id);
      this.clientTotalsStmt.run(model, clientMs);
      return true;
    });

    this.batch = db.transaction((rows: readonly UsageInsert[], fillSince: number | undefined): number => {
      const summary = new BatchSummary();
      let lastId = 0;
      for (const r of rows) {
        if (fillSince !== undefined && r.client_ms != null && r.photo_id !== null && this.fill(r.model, r.photo_id, fillSince, r.client_ms)) continue;
        lastId = this.write(r, summary);
      }
      for (const [model, t] of summary.totals) {
        this.totalsUpsertStmt.run(model, ...TOTALS_COLUMNS.map((c) => t[c]), t.first_ts, t.last_ts);
      }
      for (const b of summary.buckets.values()) this.bucketUpsertStmt.run(b.model, b.series, b.bucket, b.n, b.min, b.max);
      if (lastId > PENDING_CLIENT_ROWS) this.prunePendingStmt.run(lastId - PENDING_CLIENT_ROWS);
      return lastId;
    });
  }

  private write(r: UsageInsert, summary: BatchSummary): number {
    const kind = r.kind ?? 'inference';
    const clientMs = r.client_ms ?? null;
    // Decided here, where every row passes, so that the daemon's rows and a client's are judged alike.
    const fault = faultOf(r.success, r.error_code);
    const id = Number(
      this.insertStmt.run(
        r.ts, r.model, r.photo_id, r.duration_ms, r.total_ms, r.load_ms, r.prompt_eval_ms, r.eval_ms, r.prompt_tokens, r.eval_tokens,
        r.success ? 1 : 0, r.error_code, kind, r.cache_hit ? 1 : 0, clientMs, r.queue_ms ?? null, fault,
      ).lastInsertRowid,
    );
    if (kind === 'inference' && r.photo_id !== null && clientMs === null) this.pendingStmt.run(id, r.photo_id, r.model, r.ts);
    summary.add(r, fault);
    return id;
  }

  /** One row and its summaries; returns its id. Many rows at once go through record(). */
  insert(r: UsageInsert): number {
    return this.batch([r], undefined);
  }

  /**
   * Stores a batch in one transaction (all or nothing), its summaries updated once at the end. A
   * row with photo_id and client_ms completes that photo's row (fillClientMs) when there is one
   * since `fillSince`, and is stored as a row of its own otherwise; rows earlier in the same batch count.
   */
  record(rows: readonly UsageInsert[], fillSince: number): void {
    this.batch(rows, fillSince);
  }

  /**
   * Puts the plugin's end-to-end time into the latest photo row of this model and photo since
   * `sinceTs` that has none yet, among the last PENDING_CLIENT_ROWS usage rows. False when there
   * is no such row (the caller inserts one instead).
   */
  fillClientMs(model: string, photoId: string, sinceTs: number, clientMs: number): boolean {
    return this.fill(model, photoId, sinceTs, clientMs);
  }

  totals(): UsageTotals[] {
    return this.totalsStmt.all();
  }

  totalsFor(model: string): UsageTotals | undefined {
    return this.totalsForStmt.get(model);
  }

  /**
   * Nearest-rank percentiles of one series, read from its histogram in one pass: the bucket
   * holding the rank gives its exact smallest or largest value when the rank is its first or last,
   * and a value between them (so within the bucket's 1%) otherwise. `n` is the series' count from
   * the totals (timed_successes or warm_successes); `ps` ascending.
   */
  percentiles(model: string, series: UsageSeries, n: number, ps: readonly number[]): (number | null)[] {
    if (n <= 0) return ps.map(() => null);
    const ranks = ps.map((p) => Math.max(1, Math.ceil((p / 100) * n)));
    const out: (number | null)[] = ps.map(() => null);
    let next = 0;
    let seen = 0;
    for (const [count, min, max] of this.histogramStmt.iterate(model, series)) {
      while (next < ranks.length && (ranks[next] as number) <= seen + count) {
        const k = (ranks[next] as number) - seen;
        out[next++] = k === 1 ? min : k === count ? max : min + ((max - min) * (k - 1)) / (count - 1);
      }
      seen += count;
      if (next === ranks.length) break;
    }
    return out;
  }

  /**
   * The nearest-rank percentile of successful durations of photos that ran the model (failures are
   * excluded because a refused photo that fails in milliseconds says nothing about how long a photo
   * takes, and so are cache hits and warm-ups), within 1% of the exact one. `successes` is the
   * count of such rows (UsageTotals.timed_successes).
   */
  successPercentile(model: string, successes: number, p: number): number | null {
    return this.percentiles(model, 'timed', successes, [p])[0] ?? null;
  }

  /** The same over warm inferences only (load at most COLD_START_LOAD_MS); `warm` is UsageTotals.warm_successes. */
  warmPercentile(model: string, warm: number, p: number): number | null {
    return this.percentiles(model, 'warm', warm, [p])[0] ?? null;
  }
}

import { faultOf } from '../errors.js';
import type { Db } from './db.js';
import { DurationHistogram, RecentPhotos, type SavedBucket } from './usage-summary.js';

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

/** Which durations a histogram describes: every timed success, or the warm ones only. */
export type UsageSeries = 'timed' | 'warm';

/** A client_ms report completes a photo's row only among the last this many usage rows. */
export const PENDING_CLIENT_ROWS = 20_000;
/** The histograms are saved after this many new rows: what opening the store reads at most, besides the recent photo rows. */
const SAVE_EVERY_ROWS = 100_000;

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

/** What one row adds to its model's totals: the rules migrations 2 and 6 wrote as triggers. */
function addToSums(t: Sums, r: UsageInsert, fault: string | null): void {
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
  if (r.success) {
    t.timed_successes++;
    t.success_ms_sum += r.duration_ms;
    // Stryker disable next-line ConditionalExpression: null <= 1000 holds in JavaScript too; the null test says so plainly.
    if (r.load_ms === null || r.load_ms <= COLD_START_LOAD_MS) {
      t.warm_successes++;
      t.warm_ms_sum += r.duration_ms;
    }
  }
}

/** A usage row as read back for the in-memory summaries. */
type ReadRow = [id: number, model: string, photo_id: string | null, kind: UsageKind, cache_hit: number | boolean | undefined, success: number | boolean, duration_ms: number, load_ms: number | null, client_ms: number | null | undefined];

/**
 * The usage table is append-only, with no index but its rowid, so that a row costs the same at ten
 * rows as at ten million (migration 9). What is read from it is kept beside it:
 *  - usage_totals, in SQL, updated once per model and batch in the batch's transaction;
 *  - duration histograms per model (every timed success, and the warm ones) and the recent photo
 *    rows a client_ms report may complete, in memory: built from the rows (and the last saved
 *    histograms, usage_summary) when the store opens, and brought up to date after each write
 *    that committed. They only ever hold committed rows, so a transaction rolled back by a caller
 *    leaves nothing to undo, and a crash loses nothing the table does not still have.
 */
export class UsageRepo {
  private readonly insertStmt;
  private readonly totalsUpsertStmt;
  private readonly dailyStmt;
  private readonly totalsStmt;
  private readonly totalsForStmt;
  private readonly rowsAfterStmt;
  private readonly lastIdStmt;
  private readonly recentAfterStmt;
  private readonly saveStmt;
  private readonly tailPhotoStmt;
  private readonly fillClientStmt;
  private readonly pendingRowStmt;
  private readonly clientTotalsStmt;
  private readonly batch;
  private readonly fill;

  private readonly histograms = new Map<string, Record<UsageSeries, DurationHistogram>>();
  private readonly recent = new RecentPhotos(PENDING_CLIENT_ROWS);
  /** The summaries in memory hold every row up to this id. */
  private syncedId = 0;
  private savedId = 0;

  /** `saveEveryRows`: how many new rows between two saves of the histograms (tests save sooner). */
  constructor(private readonly db: Db, private readonly saveEveryRows = SAVE_EVERY_ROWS) {
    this.insertStmt = db.prepare(
      `INSERT INTO usage (ts, model, photo_id, duration_ms, total_ms, load_ms, prompt_eval_ms, eval_ms, prompt_tokens, eval_tokens, success, error_code,
                          kind, cache_hit, client_ms, queue_ms, fault)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.totalsUpsertStmt = db.prepare(
      `INSERT INTO usage_totals (model, ${TOTALS_COLUMNS.join(', ')}, first_ts, last_ts)
       VALUES (?, ${TOTALS_COLUMNS.map(() => '?').join(', ')}, ?, ?)
       ON CONFLICT (model) DO UPDATE SET
         ${TOTALS_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(',\n         ')},
         -- min()/max() of a NULL is NULL; coalesce keeps whichever side has a photo.
         first_ts = coalesce(min(first_ts, excluded.first_ts), first_ts, excluded.first_ts),
         last_ts = coalesce(max(last_ts, excluded.last_ts), last_ts, excluded.last_ts)`,
    );
    this.totalsStmt = db.prepare<[], UsageTotals>('SELECT * FROM usage_totals ORDER BY model');
    this.totalsForStmt = db.prepare<[string], UsageTotals>('SELECT * FROM usage_totals WHERE model = ?');
    this.rowsAfterStmt = db
      .prepare<[number], ReadRow>('SELECT id, model, photo_id, kind, cache_hit, success, duration_ms, load_ms, client_ms FROM usage WHERE id > ? ORDER BY id')
      .raw();
    this.lastIdStmt = db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM usage').pluck();
    this.recentAfterStmt = db
      .prepare<[number, number], [number, string, string]>(
        `SELECT id, model, photo_id FROM usage WHERE id > ? AND id <= ? AND kind = 'inference' AND photo_id IS NOT NULL AND client_ms IS NULL ORDER BY id`,
      )
      .raw();
    this.saveStmt = db.prepare<[number, string]>('INSERT OR REPLACE INTO usage_summary (id, upto_id, histograms) VALUES (1, ?, ?)');
    // Rows written since the summaries were brought up to date (this batch's, or a caller's open transaction's).
    this.tailPhotoStmt = db
      .prepare<[number, string, string, number], [number, number]>(
        `SELECT id, ts FROM usage WHERE id > ? AND photo_id = ? AND model = ? AND ts >= ? AND kind = 'inference' AND client_ms IS NULL`,
      )
      .raw();
    // A hint's row may have had its client_ms since: only rows still without one are candidates.
    this.pendingRowStmt = db.prepare<[number, number], [number, number]>('SELECT id, ts FROM usage WHERE id = ? AND ts >= ? AND client_ms IS NULL').raw();
    this.fillClientStmt = db.prepare<[number, number]>('UPDATE usage SET client_ms = ? WHERE id = ?');
    // An upsert, as the model's totals row may still be waiting for the end of the batch.
    this.clientTotalsStmt = db.prepare<[string, number]>(
      `INSERT INTO usage_totals (model, ${TOTALS_COLUMNS.join(', ')}, first_ts, last_ts)
       VALUES (?, ${TOTALS_COLUMNS.map((c) => (c === 'client_count' ? '1' : c === 'client_ms_sum' ? '?' : '0')).join(', ')}, NULL, NULL)
       ON CONFLICT (model) DO UPDATE SET client_count = client_count + 1, client_ms_sum = client_ms_sum + excluded.client_ms_sum`,
    );
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

    this.fill = db.transaction((model: string, photoId: string, sinceTs: number, clientMs: number): boolean => {
      const candidates: [number, number][] = [];
      for (const id of this.recent.ids(model, photoId)) {
        if (id <= this.syncedId - PENDING_CLIENT_ROWS) continue;
        const row = this.pendingRowStmt.get(id, sinceTs);
        if (row) candidates.push(row);
      }
      candidates.push(...this.tailPhotoStmt.all(this.syncedId, photoId, model, sinceTs));
      const newest = candidates.sort(([ia, ta], [ib, tb]) => tb - ta || ib - ia)[0];
      if (!newest) return false;
      this.fillClientStmt.run(clientMs, newest[0]);
      this.clientTotalsStmt.run(model, clientMs);
      return true;
    });

    // The rows inserted (not those that completed another row) and their ids, side by side.
    this.batch = db.transaction((rows: readonly UsageInsert[], fillSince: number | undefined): { ids: number[]; inserted: UsageInsert[] } => {
      const sums = new Map<string, Sums>();
      const ids: number[] = [];
      const inserted: UsageInsert[] = [];
      for (const r of rows) {
        if (fillSince !== undefined && r.client_ms != null && r.photo_id !== null && this.fill(r.model, r.photo_id, fillSince, r.client_ms)) continue;
        // Decided here, where every row passes, so that the daemon's rows and a client's are judged alike.
        const fault = faultOf(r.success, r.error_code);
        const id = Number(
          this.insertStmt.run(
            r.ts, r.model, r.photo_id, r.duration_ms, r.total_ms, r.load_ms, r.prompt_eval_ms, r.eval_ms, r.prompt_tokens, r.eval_tokens,
            r.success ? 1 : 0, r.error_code, r.kind ?? 'inference', r.cache_hit ? 1 : 0, r.client_ms ?? null, r.queue_ms ?? null, fault,
          ).lastInsertRowid,
        );
        ids.push(id);
        inserted.push(r);
        let t = sums.get(r.model);
        if (!t) sums.set(r.model, (t = emptySums()));
        addToSums(t, r, fault);
      }
      for (const [model, t] of sums) this.totalsUpsertStmt.run(model, ...TOTALS_COLUMNS.map((c) => t[c]), t.first_ts, t.last_ts);
      return { ids, inserted };
    });

    this.load();
  }

  /** The last saved histograms, the recent photo rows they do not hold, then every row after them. */
  private load(): void {
    const saved = this.db.prepare<[], { upto_id: number; histograms: string }>('SELECT upto_id, histograms FROM usage_summary').get();
    const lastId = this.lastIdStmt.get() as number;
    // A file whose rows end before the save (restored from an older copy) is read from the start.
    if (saved && saved.upto_id <= lastId) {
      for (const [model, h] of Object.entries(JSON.parse(saved.histograms) as Record<string, Record<UsageSeries, SavedBucket[]>>)) {
        this.histograms.set(model, { timed: DurationHistogram.from(h.timed), warm: DurationHistogram.from(h.warm) });
      }
      this.syncedId = this.savedId = saved.upto_id;
      for (const [id, model, photoId] of this.recentAfterStmt.iterate(lastId - PENDING_CLIENT_ROWS, saved.upto_id)) this.recent.add(model, photoId, id);
    }
    this.sync();
  }

  /**
   * Brings the in-memory summaries up to the committed rows. Inside a caller's transaction the
   * rows may yet be rolled back, so they wait for the next call outside one.
   */
  private sync(): void {
    if (this.db.inTransaction) return;
    const keepFrom = (this.lastIdStmt.get() as number) - PENDING_CLIENT_ROWS;
    for (const row of this.rowsAfterStmt.iterate(this.syncedId)) this.apply(keepFrom, ...row);
    if (this.syncedId - this.savedId >= this.saveEveryRows) this.save();
  }

  // Fields one by one, not a row: it runs for every row ingested, and a row per call would be garbage per row.
  private apply(
    keepFrom: number, id: number, model: string, photoId: string | null, kind: UsageKind, cacheHit: number | boolean | undefined,
    success: number | boolean, durationMs: number, loadMs: number | null, clientMs: number | null | undefined,
  ): void {
    this.syncedId = id;
    if (kind !== 'inference') return;
    if (photoId !== null && clientMs == null && id > keepFrom) this.recent.add(model, photoId, id);
    if (cacheHit || !success) return;
    const h = this.histogramsOf(model);
    h.timed.add(durationMs);
    // Stryker disable next-line ConditionalExpression: null <= 1000 holds in JavaScript too; the null test says so plainly.
    if (loadMs === null || loadMs <= COLD_START_LOAD_MS) h.warm.add(durationMs);
  }

  private save(): void {
    this.saveStmt.run(this.syncedId, JSON.stringify(Object.fromEntries(this.histograms)));
    this.savedId = this.syncedId;
  }

  private histogramsOf(model: string): Record<UsageSeries, DurationHistogram> {
    let h = this.histograms.get(model);
    if (!h) this.histograms.set(model, (h = { timed: new DurationHistogram(), warm: new DurationHistogram() }));
    return h;
  }

  private write(rows: readonly UsageInsert[], fillSince: number | undefined): number {
    const { ids, inserted } = this.batch(rows, fillSince);
    const last = ids.at(-1);
    // Committed, and right after what memory holds: added as written, without reading them back.
    if (!this.db.inTransaction && ids[0] === this.syncedId + 1) {
      const keepFrom = (last as number) - PENDING_CLIENT_ROWS;
      for (let i = 0; i < ids.length; i++) {
        const r = inserted[i] as UsageInsert;
        this.apply(keepFrom, ids[i] as number, r.model, r.photo_id, r.kind ?? 'inference', r.cache_hit, r.success, r.duration_ms, r.load_ms, r.client_ms);
      }
      if (this.syncedId - this.savedId >= this.saveEveryRows) this.save();
    } else this.sync();
    return last ?? 0;
  }

  /** One row and its summaries; returns its id. Many rows at once go through record(). */
  insert(r: UsageInsert): number {
    return this.write([r], undefined);
  }

  /**
   * Stores a batch in one transaction (all or nothing), the totals updated once per model. A row
   * with photo_id and client_ms completes that photo's row (as fillClientMs does) when there is
   * one since `fillSince`, rows earlier in the same batch included, and is stored as a row of its own otherwise.
   */
  record(rows: readonly UsageInsert[], fillSince: number): void {
    this.write(rows, fillSince);
  }

  /**
   * Puts the plugin's end-to-end time into the latest photo row of this model and photo since
   * `sinceTs` that has none yet, among the last PENDING_CLIENT_ROWS usage rows. False
   * when there is no such row (the caller inserts one instead).
   */
  fillClientMs(model: string, photoId: string, sinceTs: number, clientMs: number): boolean {
    return this.fill(model, photoId, sinceTs, clientMs);
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
   * Nearest-rank percentiles (`ps` ascending) of one series' durations, within 1% of the exact
   * ones (see DurationHistogram). `n` is the series' count from the totals: timed_successes or warm_successes.
   */
  percentiles(model: string, series: UsageSeries, n: number, ps: readonly number[]): (number | null)[] {
    this.sync();
    const h = this.histograms.get(model);
    return h ? h[series].percentiles(n, ps) : ps.map(() => null);
  }

  /**
   * The nearest-rank percentile of successful durations of photos that ran the model: failures are
   * excluded because a refused photo that fails in milliseconds says nothing about how long a photo
   * takes, and so are cache hits and warm-ups. `successes` is the count of such rows (UsageTotals.timed_successes).
   */
  successPercentile(model: string, successes: number, p: number): number | null {
    return this.percentiles(model, 'timed', successes, [p])[0] ?? null;
  }

  /** The same over warm inferences only (load at most COLD_START_LOAD_MS); `warm` is UsageTotals.warm_successes. */
  warmPercentile(model: string, warm: number, p: number): number | null {
    return this.percentiles(model, 'warm', warm, [p])[0] ?? null;
  }
}

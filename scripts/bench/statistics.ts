import type { Database } from 'better-sqlite3';
import type { TestDaemon } from '../../test/support/daemon.js';
import type { Store } from '../../daemon/store/store.js';
import { fmt, medianMs, row } from './measure.js';
import { MODELS, seedUsage } from './usage-rows.js';

const ROWS = 1_000_000;

/** The naive aggregate a reader would otherwise run over the usage table: what the statistics route is held against. */
export function naiveStatisticsMs(store: Store, runs = 5): Promise<number> {
  const db = (store as unknown as { db: Database }).db;
  const naive = db.prepare('SELECT model, count(*), sum(success), avg(duration_ms), avg(load_ms), sum(eval_tokens) * 1000.0 / sum(eval_ms) FROM usage GROUP BY model');
  return medianMs(runs, () => naive.all());
}

/** The largest relative gap between the route's p50/p95 (and warm ones) and the exact nearest-rank values sorted out of the rows. */
function worstPercentileError(store: Store, stats: Record<string, Record<string, number | null>>): number {
  const db = (store as unknown as { db: Database }).db;
  const sorted = (model: string, warm: boolean) =>
    db.prepare(`SELECT duration_ms FROM usage WHERE model = ? AND kind = 'inference' AND cache_hit = 0 AND success = 1 ${warm ? 'AND (load_ms IS NULL OR load_ms <= 1000)' : ''} ORDER BY duration_ms`).pluck().all(model) as number[];
  let worst = 0;
  for (const model of MODELS) {
    for (const warm of [false, true]) {
      const d = sorted(model, warm);
      for (const p of [50, 95]) {
        const exact = d[Math.max(1, Math.ceil((p / 100) * d.length)) - 1] as number;
        const ours = stats[model]?.[`${warm ? 'warm_' : ''}p${p}_ms`] as number;
        worst = Math.max(worst, Math.abs(ours - exact) / exact);
      }
    }
  }
  return worst;
}

/**
 * Statistics over a million usage rows with distinct durations: GET /api/model/statistics (totals
 * table and histograms) vs the naive aggregate over the usage table, and how far its percentiles
 * are from the exact ones.
 */
export async function benchStatistics(t: TestDaemon): Promise<string[]> {
  const { store } = t.daemon;
  const seeded = seedUsage(store, ROWS);
  const naiveMs = await naiveStatisticsMs(store);
  const oursMs = await medianMs(9, () => t.req('GET', '/api/model/statistics'));
  const oneMs = await medianMs(9, () => t.req('GET', '/api/model/statistics?model=gemma3:4b'));
  const error = worstPercentileError(store, (await t.req('GET', '/api/model/statistics')).body.statistics);
  return [
    `  (seeded up to ${ROWS.toLocaleString('en-US')} usage rows in ${Math.round(seeded.ms)} ms through the store's batch path)`,
    row('GET /api/model/statistics, 1M rows, 4 models', fmt(oursMs, 'ms'), fmt(naiveMs, 'ms'), oursMs / naiveMs),
    row('GET /api/model/statistics?model=…, 1M rows', fmt(oneMs, 'ms'), fmt(naiveMs, 'ms'), oneMs / naiveMs),
    `  (p50, p95, warm p50 and warm p95 of every model within ${(error * 100).toFixed(3)}% of the exact nearest-rank values)`,
  ];
}

import type { TestDaemon } from '../../test/support/daemon.js';
import { fmt, medianMs, row } from './measure.js';

const ROWS = 1_000_000;
const MODELS = ['gemma3:4b', 'gemma3:12b', 'qwen2.5vl:7b', 'llava:7b'];

/**
 * Statistics over a million usage rows: GET /api/model/statistics (totals table + index-walked
 * percentiles) vs the naive aggregate a reader would otherwise run over the usage table.
 */
export async function benchStatistics(t: TestDaemon): Promise<string[]> {
  const { store } = t.daemon;
  const have = store.usage.totals().reduce((n, r) => n + r.count, 0);
  const t0 = Date.now();
  store.transaction(() => {
    for (let i = have; i < ROWS; i++) {
      store.usage.insert({
        ts: 1_700_000_000_000 + i * 1000, model: MODELS[i % MODELS.length] as string, photo_id: `IMG_${i}`,
        duration_ms: 500 + ((i * 7919) % 10_000), total_ms: null, load_ms: i % 50 === 0 ? 3000 : 5, prompt_eval_ms: 300,
        eval_ms: 1000, prompt_tokens: 600, eval_tokens: 40, success: i % 20 !== 0, error_code: i % 20 === 0 ? 'MODEL_OUTPUT_INVALID' : null,
      });
    }
  });
  const seeded = Date.now() - t0;
  const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
  const naive = db.prepare('SELECT model, count(*), sum(success), avg(duration_ms), avg(load_ms), sum(eval_tokens) * 1000.0 / sum(eval_ms) FROM usage GROUP BY model');
  const naiveMs = await medianMs(5, () => naive.all());
  const oursMs = await medianMs(9, () => t.req('GET', '/api/model/statistics'));
  const oneMs = await medianMs(9, () => t.req('GET', '/api/model/statistics?model=gemma3:4b'));
  return [
    `  (seeded ${ROWS.toLocaleString('en-US')} usage rows in ${seeded} ms through the store's INSERT, ${Math.round(ROWS / (seeded / 1000)).toLocaleString('en-US')} rows/s)`,
    row('GET /api/model/statistics, 1M rows, 4 models', fmt(oursMs, 'ms'), fmt(naiveMs, 'ms'), oursMs / naiveMs),
    row('GET /api/model/statistics?model=…, 1M rows', fmt(oneMs, 'ms'), fmt(naiveMs, 'ms'), oneMs / naiveMs),
  ];
}

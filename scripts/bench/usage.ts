import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDaemon } from '../../test/support/daemon.js';
import { fmt, requestsPerSecond, row } from './measure.js';

const record = { model: 'gemma3:4b', duration_ms: 2500, success: true, photo_id: 'IMG_0001', load_ms: 20, prompt_eval_ms: 300, eval_ms: 1500, prompt_tokens: 600, eval_tokens: 80 };

/** Raw better-sqlite3 inserts of the same columns into a WAL file: the floor any ingest path sits on. */
function rawInsertsPerSecond(batch: number, seconds = 2): number {
  const dir = mkdtempSync(join(tmpdir(), 'junmai-bench-raw-'));
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE usage (id INTEGER PRIMARY KEY, ts INTEGER, model TEXT, photo_id TEXT, duration_ms REAL, load_ms REAL, prompt_eval_ms REAL, eval_ms REAL, prompt_tokens INTEGER, eval_tokens INTEGER, success INTEGER)');
  const ins = db.prepare('INSERT INTO usage (ts, model, photo_id, duration_ms, load_ms, prompt_eval_ms, eval_ms, prompt_tokens, eval_tokens, success) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const many = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) ins.run(Date.now(), record.model, record.photo_id, record.duration_ms, record.load_ms, record.prompt_eval_ms, record.eval_ms, record.prompt_tokens, record.eval_tokens, 1);
  });
  let rows = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    many(batch);
    rows += batch;
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rows / seconds;
}

/** Usage ingest through HTTP, one record per request and 100 per request, vs raw inserts of the same shape. */
export async function benchUsage(t: TestDaemon): Promise<string[]> {
  const single = await requestsPerSecond(`${t.url}/api/model/usage`, { method: 'POST', body: JSON.stringify(record) });
  const batch = await requestsPerSecond(`${t.url}/api/model/usage`, { method: 'POST', body: JSON.stringify(Array.from({ length: 100 }, () => record)) });
  const raw1 = rawInsertsPerSecond(1);
  const raw100 = rawInsertsPerSecond(100);
  return [
    row('usage ingest, 1 record/request (rec/s)', fmt(single.rps, 'rec/s'), fmt(raw1, 'rec/s'), single.rps / raw1),
    row('usage ingest, 100 records/request (rec/s)', fmt(batch.rps * 100, 'rec/s'), fmt(raw100, 'rec/s'), (batch.rps * 100) / raw100),
    ...(single.errors + batch.errors > 0 ? [`  (errors: single ${single.errors}, batch ${batch.errors})`] : []),
  ];
}

import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UsageRecord } from '../../daemon/schemas/api.js';
import type { Store } from '../../daemon/store/store.js';
import type { UsageInsert } from '../../daemon/store/usage-repo.js';

export const MODELS = ['gemma3:4b', 'gemma3:12b', 'qwen2.5vl:7b', 'llava:7b'];
const T0 = 1_700_000_000_000;

/** A bijective scramble of 32-bit ints: consecutive rows get unrelated photo ids and durations, as a real catalogue's do. */
const scramble = (i: number) => Math.imul(i ^ (i >>> 16), 0x45d9f3b) >>> 0;

/**
 * Usage record number i, as the plugin would send it: a distinct photo id and a distinct duration
 * (0.5-60.5 s to the microsecond) for every i, so indexes and histograms see what a real table holds.
 */
export function usageRecord(i: number): UsageRecord & { photo_id: string } {
  const h = scramble(i);
  return {
    model: MODELS[i % MODELS.length] as string,
    photo_id: `cat-${h % 97}/IMG_${h.toString(36)}_${i}`,
    duration_ms: 500 + (h % 60_000_000) / 1000,
    success: i % 20 !== 0,
    ...(i % 20 === 0 ? { error_code: i % 40 === 0 ? 'MODEL_OUTPUT_INVALID' : 'IMAGE_UNREADABLE' } : {}),
    load_ms: i % 50 === 0 ? 3000 : 5,
    prompt_eval_ms: 300,
    eval_ms: 1000,
    prompt_tokens: 600,
    eval_tokens: 40 + (i % 30),
  };
}

/** The same record as the store takes it. */
export function usageInsert(i: number): UsageInsert {
  const r = usageRecord(i);
  return {
    ts: T0 + i * 1000, model: r.model, photo_id: r.photo_id, duration_ms: r.duration_ms, total_ms: null, load_ms: r.load_ms ?? null,
    prompt_eval_ms: r.prompt_eval_ms ?? null, eval_ms: r.eval_ms ?? null, prompt_tokens: r.prompt_tokens ?? null,
    eval_tokens: r.eval_tokens ?? null, success: r.success, error_code: r.error_code ?? null,
  };
}

const totalRows = (store: Store) => store.usage.totals().reduce((n, t) => n + t.count, 0);

/**
 * Fills the store up to `rows` usage rows through its batch path, 10,000 rows a transaction, with
 * record numbers from `from` (by default, on from those the store holds); returns the next record number.
 */
export function seedUsage(store: Store, rows: number, from?: number): { next: number; ms: number } {
  const have = totalRows(store);
  from ??= have;
  const t0 = performance.now();
  for (let i = have; i < rows; i += 10_000) {
    store.usage.record(Array.from({ length: Math.min(10_000, rows - i) }, (_, k) => usageInsert(from + i - have + k)), 0);
  }
  return { next: from + Math.max(0, rows - have), ms: performance.now() - t0 };
}

/** Rows per second of `batches` batches of `size` fresh rows through the store's batch path. */
export function repoRowsPerSecond(store: Store, from: number, batches: number, size: number): number {
  const rows = Array.from({ length: batches }, (_, b) => Array.from({ length: size }, (_, k) => usageInsert(from + b * size + k)));
  const t0 = performance.now();
  for (const batch of rows) store.usage.record(batch, 0);
  return (batches * size) / ((performance.now() - t0) / 1000);
}

/**
 * The floor any ingest path sits on: the same rows, one transaction a batch, into a plain table
 * with the usage table's columns and no index, in a WAL file with the daemon's synchronous setting:
 * records per second, and CPU time per record.
 */
export function rawRowsPerSecond(from: number, batches: number, size: number): { rps: number; cpuUsPerRecord: number } {
  const dir = mkdtempSync(join(tmpdir(), 'junmai-bench-raw-'));
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE usage (id INTEGER PRIMARY KEY, ts INTEGER, model TEXT, photo_id TEXT, duration_ms REAL, total_ms REAL, load_ms REAL,
      prompt_eval_ms REAL, eval_ms REAL, prompt_tokens INTEGER, eval_tokens INTEGER, success INTEGER, error_code TEXT, kind TEXT,
      cache_hit INTEGER, client_ms REAL, queue_ms REAL, fault TEXT)`);
    const ins = db.prepare('INSERT INTO usage VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const one = db.transaction((rows: UsageInsert[]) => {
      for (const r of rows) {
        ins.run(r.ts, r.model, r.photo_id, r.duration_ms, r.total_ms, r.load_ms, r.prompt_eval_ms, r.eval_ms, r.prompt_tokens, r.eval_tokens,
          r.success ? 1 : 0, r.error_code, 'inference', 0, null, null, null);
      }
    });
    const rows = Array.from({ length: batches }, (_, b) => Array.from({ length: size }, (_, k) => usageInsert(from + b * size + k)));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const batch of rows) one(batch);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { rps: (batches * size) / seconds, cpuUsPerRecord: (cpu.user + cpu.system) / (batches * size) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What one pass of requests measured: records per second of wall time, and the daemon's process CPU time per record. */
export interface HttpIngest {
  rps: number;
  cpuUsPerRecord: number;
  errors: number;
  next: number;
}

/**
 * Records per second through POST /api/model/usage: `requests` requests of `size` fresh records
 * each, sent from a child process (scripts/bench/usage-client.ts), so that the figure is the
 * daemon's and not the daemon's shared with its client. A fixed number, so the table grows by a
 * known amount. The daemon runs in this process: its CPU time over the pass is this process's.
 */
export function httpRowsPerSecond(url: string, from: number, requests: number, size: number): Promise<HttpIngest> {
  const child = fork(fileURLToPath(new URL('./usage-client.ts', import.meta.url)), [url, String(from), String(requests), String(size)], { stdio: 'inherit' });
  let cpu0: NodeJS.CpuUsage | undefined;
  return new Promise((resolve, reject) => {
    child.on('message', (m: { ready?: true; rps: number; errors: number; next: number }) => {
      if (m.ready) {
        cpu0 = process.cpuUsage();
        child.send('go');
        return;
      }
      const cpu = process.cpuUsage(cpu0);
      resolve({ rps: m.rps, cpuUsPerRecord: (cpu.user + cpu.system) / ((requests - m.errors) * size), errors: m.errors, next: m.next });
    });
    child.once('exit', (code) => reject(new Error(`usage bench client exited with ${code}`)));
  });
}

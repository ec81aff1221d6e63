import type { Db } from './db.js';

/**
 * Evaluation results by cache key (daemon/evaluation/prompt.ts), in the evaluation_cache table of
 * migration 2. Least recently used rows are dropped beyond `maxRows`; 0 turns the cache off.
 * A cache that fails (disk full, locked) must never fail an evaluation, so every call swallows
 * its errors and reports them through `onError`.
 */
export class EvaluationCache {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly evictStmt;
  private rows: number;

  constructor(
    private readonly db: Db,
    private readonly maxRows: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.getStmt = db.prepare<[number, string], { result: string }>('UPDATE evaluation_cache SET last_used_ms = ? WHERE key = ? RETURNING result');
    this.insertStmt = db.prepare<[string, string, string, number, number]>(
      'INSERT OR IGNORE INTO evaluation_cache (key, model, result, created_ms, last_used_ms) VALUES (?, ?, ?, ?, ?)',
    );
    this.updateStmt = db.prepare<[string, number, string]>('UPDATE evaluation_cache SET result = ?, last_used_ms = ? WHERE key = ?');
    this.evictStmt = db.prepare<[number]>('DELETE FROM evaluation_cache WHERE key IN (SELECT key FROM evaluation_cache ORDER BY last_used_ms LIMIT ?)');
    // Counted once; afterwards this class is the only writer of the table.
    this.rows = db.prepare('SELECT count(*) FROM evaluation_cache').pluck().get() as number;
  }

  get enabled(): boolean {
    return this.maxRows > 0;
  }

  get size(): number {
    return this.rows;
  }

  get<T>(key: string, nowMs: number): T | undefined {
    if (!this.enabled) return undefined;
    try {
      const row = this.getStmt.get(nowMs, key);
      return row ? (JSON.parse(row.result) as T) : undefined;
    } catch (err) {
      this.onError(err);
      return undefined;
    }
  }

  put(key: string, model: string, result: unknown, nowMs: number): void {
    if (!this.enabled) return;
    try {
      const json = JSON.stringify(result);
      if (this.insertStmt.run(key, model, json, nowMs, nowMs).changes === 0) this.updateStmt.run(json, nowMs, key);
      else this.rows++;
      if (this.rows > this.maxRows) this.rows -= this.evictStmt.run(this.rows - this.maxRows).changes;
    } catch (err) {
      this.onError(err);
    }
  }

}

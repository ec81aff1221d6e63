import type { Db } from './db.js';

/** Small key/value settings (the current model, …), values stored as JSON. */
export class SettingsRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.delStmt = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  set(key: string, value: unknown, now: Date): void {
    this.setStmt.run(key, JSON.stringify(value), now.toISOString());
  }

  delete(key: string): void {
    this.delStmt.run(key);
  }
}

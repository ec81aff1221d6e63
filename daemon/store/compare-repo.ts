import type { Db } from './db.js';

export const COMPARE_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type CompareStatus = (typeof COMPARE_STATUSES)[number];
export const ACTIVE_COMPARE_STATUSES: readonly CompareStatus[] = ['queued', 'running'];

export type CompareModelStatus = 'pending' | 'running' | 'done' | 'skipped';

export interface CompareRunRow {
  id: string;
  status: CompareStatus;
  options: Record<string, unknown>;
  photo_count: number;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ComparePhotoRow {
  idx: number;
  photo_id: string;
  image_path: string | null;
  image_base64: string | null;
  rating: number | null;
  pick: 'pick' | 'reject' | 'none' | null;
  keywords: string[] | null;
}

export interface CompareModelRow {
  position: number;
  model: string;
  status: CompareModelStatus;
  loads: number;
  load_ms: number | null;
  size_bytes: number | null;
  vram_bytes: number | null;
  photos_ms: number;
  error_code: string | null;
  error_message: string | null;
}

export interface CompareResultRow {
  model: string;
  idx: number;
  success: boolean;
  fault: 'model' | 'caller' | null;
  error_code: string | null;
  rating: number | null;
  flag: string | null;
  keywords: string[] | null;
  duration_ms: number | null;
  load_ms: number | null;
}

type Raw<T, K extends keyof T> = Omit<T, K> & { [P in K]: string | null };
type RawRun = Raw<CompareRunRow, 'options'>;
type RawResult = Omit<Raw<CompareResultRow, 'keywords'>, 'success'> & { success: number };

const ACTIVE_SQL = `status IN (${ACTIVE_COMPARE_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parsed = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));

/** Comparison runs, their photos, their models and each model's answer per photo. */
export class CompareRepo {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      insertRun: db.prepare(
        `INSERT INTO compare_runs (id, status, options, photo_count, error_code, error_message, created_at, updated_at, finished_at)
         VALUES (@id, @status, @options, @photo_count, NULL, NULL, @created_at, @created_at, NULL)`,
      ),
      insertPhoto: db.prepare(
        `INSERT INTO compare_photos (run_id, idx, photo_id, image_path, image_base64, rating, pick, keywords)
         VALUES (@run_id, @idx, @photo_id, @image_path, @image_base64, @rating, @pick, @keywords)`,
      ),
      insertModel: db.prepare(`INSERT INTO compare_models (run_id, position, model, status) VALUES (?, ?, ?, 'pending')`),
      setStatus: db.prepare(
        `UPDATE compare_runs SET status = @status, error_code = @error_code, error_message = @error_message, updated_at = @now,
         finished_at = CASE WHEN @status IN ('completed', 'failed', 'cancelled', 'interrupted') THEN @now ELSE NULL END WHERE id = @id`,
      ),
      dropImages: db.prepare(`UPDATE compare_photos SET image_base64 = NULL WHERE run_id = ? AND image_base64 IS NOT NULL`),
      getRun: db.prepare<[string], RawRun>('SELECT * FROM compare_runs WHERE id = ?'),
      listRuns: db.prepare<[number], RawRun>(`SELECT * FROM compare_runs ORDER BY (${ACTIVE_SQL}) DESC, created_at DESC, rowid DESC LIMIT ?`),
      activeIds: db.prepare<[], string>(`SELECT id FROM compare_runs WHERE ${ACTIVE_SQL} ORDER BY created_at, rowid`).pluck(),
      photos: db.prepare<[string], Raw<ComparePhotoRow, 'keywords'>>(
        'SELECT idx, photo_id, image_path, image_base64, rating, pick, keywords FROM compare_photos WHERE run_id = ? ORDER BY idx',
      ),
      models: db.prepare<[string], CompareModelRow>(
        'SELECT position, model, status, loads, load_ms, size_bytes, vram_bytes, photos_ms, error_code, error_message FROM compare_models WHERE run_id = ? ORDER BY position',
      ),
      setModel: db.prepare(
        `UPDATE compare_models SET status = @status, error_code = @error_code, error_message = @error_message WHERE run_id = @run_id AND model = @model`,
      ),
      addLoad: db.prepare(
        `UPDATE compare_models SET loads = loads + @loads, load_ms = coalesce(@load_ms, load_ms), size_bytes = coalesce(@size_bytes, size_bytes),
         vram_bytes = coalesce(@vram_bytes, vram_bytes) WHERE run_id = @run_id AND model = @model`,
      ),
      addPhotosMs: db.prepare('UPDATE compare_models SET photos_ms = photos_ms + ? WHERE run_id = ? AND model = ?'),
      resetRunning: db.prepare(`UPDATE compare_models SET status = 'pending' WHERE run_id = ? AND status = 'running'`),
      insertResult: db.prepare(
        `INSERT INTO compare_results (run_id, model, idx, success, fault, error_code, rating, flag, keywords, duration_ms, load_ms)
         VALUES (@run_id, @model, @idx, @success, @fault, @error_code, @rating, @flag, @keywords, @duration_ms, @load_ms)`,
      ),
      results: db.prepare<[string], RawResult>(
        'SELECT model, idx, success, fault, error_code, rating, flag, keywords, duration_ms, load_ms FROM compare_results WHERE run_id = ? ORDER BY model, idx',
      ),
      latestCompleted: db.prepare<[string], string>(
        `SELECT r.id FROM compare_runs r JOIN compare_models m ON m.run_id = r.id
         WHERE m.model = ? AND m.status = 'done' AND r.status = 'completed' ORDER BY r.finished_at DESC, r.rowid DESC LIMIT 1`,
      ).pluck(),
      doneByModel: db.prepare<[string], { model: string; n: number }>('SELECT model, count(*) AS n FROM compare_results WHERE run_id = ? GROUP BY model'),
    };
  }

  /** The run, its photos and its models land together or not at all. */
  create(run: Omit<CompareRunRow, 'error_code' | 'error_message' | 'updated_at' | 'finished_at'>, photos: ComparePhotoRow[], models: string[]): void {
    this.db.transaction(() => {
      this.s.insertRun.run({ ...run, options: JSON.stringify(run.options) });
      for (const p of photos) this.s.insertPhoto.run({ ...p, run_id: run.id, keywords: json(p.keywords) });
      models.forEach((m, i) => this.s.insertModel.run(run.id, i, m));
    })();
  }

  get(id: string): CompareRunRow | undefined {
    const r = this.s.getRun.get(id);
    return r && { ...r, options: parsed<Record<string, unknown>>(r.options) ?? {} };
  }

  list(limit: number): CompareRunRow[] {
    return this.s.listRuns.all(limit).map((r) => ({ ...r, options: parsed<Record<string, unknown>>(r.options) ?? {} }));
  }

  /**
   * Moves a run to `status`. A run that ends keeps its photos' judgement but lets go of the image
   * bytes a client sent inline: they were only kept so that the run could resume.
   */
  setStatus(id: string, status: CompareStatus, now: Date, error?: { code: string; message: string }): void {
    this.db.transaction(() => {
      this.s.setStatus.run({ id, status, now: now.toISOString(), error_code: error?.code ?? null, error_message: error?.message ?? null });
      if (status === 'completed' || status === 'cancelled') this.s.dropImages.run(id);
      if (status !== 'running') this.s.resetRunning.run(id);
    })();
  }

  /** Runs queued or running, oldest first. */
  activeIds(): string[] {
    return this.s.activeIds.all();
  }

  photos(id: string): ComparePhotoRow[] {
    return this.s.photos.all(id).map((p) => ({ ...p, keywords: parsed<string[]>(p.keywords) }));
  }

  models(id: string): CompareModelRow[] {
    return this.s.models.all(id);
  }

  setModel(id: string, model: string, status: CompareModelStatus, error?: { code: string; message: string }): void {
    this.s.setModel.run({ run_id: id, model, status, error_code: error?.code ?? null, error_message: error?.message ?? null });
  }

  /** A load of the model during the run: its time and the memory Ollama reported it uses, when known. */
  addLoad(id: string, model: string, load: { loads: number; load_ms?: number | null; size_bytes?: number | null; vram_bytes?: number | null }): void {
    this.s.addLoad.run({ run_id: id, model, loads: load.loads, load_ms: load.load_ms ?? null, size_bytes: load.size_bytes ?? null, vram_bytes: load.vram_bytes ?? null });
  }

  addPhotosMs(id: string, model: string, ms: number): void {
    this.s.addPhotosMs.run(ms, id, model);
  }

  addResult(id: string, r: CompareResultRow): void {
    this.s.insertResult.run({ ...r, run_id: id, success: r.success ? 1 : 0, keywords: json(r.keywords) });
  }

  results(id: string): CompareResultRow[] {
    return this.s.results.all(id).map((r) => ({ ...r, success: r.success === 1, keywords: parsed<string[]>(r.keywords) }));
  }

  /** The newest completed run in which the model went through every photo. */
  latestCompletedWith(model: string): string | undefined {
    return this.s.latestCompleted.get(model);
  }

  /** Photos each model has finished in the run, any outcome. */
  doneByModel(id: string): Map<string, number> {
    return new Map(this.s.doneByModel.all(id).map((r) => [r.model, r.n]));
  }
}

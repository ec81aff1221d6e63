import type { Db } from './db.js';

export const JOB_STATUSES = ['queued', 'downloading', 'verifying', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'downloading', 'verifying'];

export interface JobRow {
  id: string;
  model: string;
  /** The spelling to pull with, when it differs from the canonical `model`. */
  pull_name: string | null;
  status: JobStatus;
  completed_bytes: number;
  total_bytes: number | null;
  resumed_bytes: number;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const ACTIVE_SQL = `status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export class JobsRepo {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly getStmt;
  private readonly activeForStmt;
  private readonly listStmt;
  private readonly interruptStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO download_jobs (id, model, pull_name, status, completed_bytes, total_bytes, resumed_bytes, error_code, error_message, created_at, updated_at, finished_at)
       VALUES (@id, @model, @pull_name, @status, @completed_bytes, @total_bytes, @resumed_bytes, @error_code, @error_message, @created_at, @updated_at, @finished_at)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE download_jobs SET status = @status, completed_bytes = @completed_bytes, total_bytes = @total_bytes, resumed_bytes = @resumed_bytes,
       error_code = @error_code, error_message = @error_message, updated_at = @updated_at, finished_at = @finished_at WHERE id = @id`,
    );
    this.getStmt = db.prepare<[string], JobRow>('SELECT * FROM download_jobs WHERE id = ?');
    this.activeForStmt = db.prepare<[string], JobRow>(`SELECT * FROM download_jobs WHERE model = ? AND ${ACTIVE_SQL} LIMIT 1`);
    this.listStmt = db.prepare<[number], JobRow>(
      `SELECT * FROM download_jobs ORDER BY (${ACTIVE_SQL}) DESC, created_at DESC, rowid DESC LIMIT ?`,
    );
    this.interruptStmt = db.prepare(
      `UPDATE download_jobs SET status = 'interrupted', updated_at = ?, error_code = 'INTERRUPTED',
       error_message = 'The daemon stopped during this download. Resume it to continue where it stopped.' WHERE ${ACTIVE_SQL}`,
    );
  }

  insert(job: JobRow): void {
    this.insertStmt.run(job);
  }

  update(job: JobRow): void {
    this.updateStmt.run(job);
  }

  get(id: string): JobRow | undefined {
    return this.getStmt.get(id);
  }

  activeFor(model: string): JobRow | undefined {
    return this.activeForStmt.get(model);
  }

  list(limit: number): JobRow[] {
    return this.listStmt.all(limit);
  }

  /** At start-up nothing is running yet, so any job still marked active was cut off by a crash or stop. */
  interruptActive(now: Date): number {
    return this.interruptStmt.run(now.toISOString()).changes;
  }
}

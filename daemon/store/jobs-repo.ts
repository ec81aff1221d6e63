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
  /** The model was installed when the job started: the pull checks for a newer version. */
  update_check: boolean;
  /** For an update check that completed: true when nothing new arrived; null until known. */
  up_to_date: boolean | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

type RawJob = Omit<JobRow, 'update_check' | 'up_to_date'> & { update_check: number; up_to_date: number | null };

const fromRaw = (r: RawJob | undefined): JobRow | undefined =>
  r && { ...r, update_check: r.update_check === 1, up_to_date: r.up_to_date === null ? null : r.up_to_date === 1 };
const toRaw = (j: JobRow): RawJob => ({ ...j, update_check: j.update_check ? 1 : 0, up_to_date: j.up_to_date === null ? null : j.up_to_date ? 1 : 0 });

const ACTIVE_SQL = `status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export class JobsRepo {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly getStmt;
  private readonly activeForStmt;
  private readonly listStmt;
  private readonly interruptStmt;
  private readonly lastEndedStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO download_jobs (id, model, pull_name, status, completed_bytes, total_bytes, resumed_bytes, update_check, up_to_date, error_code, error_message, created_at, updated_at, finished_at)
       VALUES (@id, @model, @pull_name, @status, @completed_bytes, @total_bytes, @resumed_bytes, @update_check, @up_to_date, @error_code, @error_message, @created_at, @updated_at, @finished_at)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE download_jobs SET status = @status, completed_bytes = @completed_bytes, total_bytes = @total_bytes, resumed_bytes = @resumed_bytes,
       up_to_date = @up_to_date, error_code = @error_code, error_message = @error_message, updated_at = @updated_at, finished_at = @finished_at WHERE id = @id`,
    );
    this.getStmt = db.prepare<[string], RawJob>('SELECT * FROM download_jobs WHERE id = ?');
    this.activeForStmt = db.prepare<[string], RawJob>(`SELECT * FROM download_jobs WHERE model = ? AND ${ACTIVE_SQL} LIMIT 1`);
    this.listStmt = db.prepare<[number], RawJob>(
      `SELECT * FROM download_jobs ORDER BY (${ACTIVE_SQL}) DESC, created_at DESC, rowid DESC LIMIT ?`,
    );
    this.interruptStmt = db.prepare(
      `UPDATE download_jobs SET status = 'interrupted', updated_at = ?, error_code = 'INTERRUPTED',
       error_message = 'The daemon stopped during this download. Resume it to continue where it stopped.' WHERE ${ACTIVE_SQL}`,
    );
    this.lastEndedStmt = db.prepare<[string], { status: string; completed_bytes: number }>(
      `SELECT status, completed_bytes FROM download_jobs WHERE model = ? AND NOT ${ACTIVE_SQL} ORDER BY updated_at DESC, rowid DESC LIMIT 1`,
    );
  }

  insert(job: JobRow): void {
    this.insertStmt.run(toRaw(job));
  }

  update(job: JobRow): void {
    this.updateStmt.run(toRaw(job));
  }

  get(id: string): JobRow | undefined {
    return fromRaw(this.getStmt.get(id));
  }

  activeFor(model: string): JobRow | undefined {
    return fromRaw(this.activeForStmt.get(model));
  }

  list(limit: number): JobRow[] {
    return this.listStmt.all(limit).map((r) => fromRaw(r) as JobRow);
  }

  /** True when the last download of this model that ended stopped part-way, leaving bytes on Ollama's disk. */
  endedPartWay(model: string): boolean {
    const last = this.lastEndedStmt.get(model);
    return last !== undefined && ['failed', 'cancelled', 'interrupted'].includes(last.status) && last.completed_bytes > 0;
  }

  /** At start-up nothing is running yet, so any job still marked active was cut off by a crash or stop. */
  interruptActive(now: Date): number {
    return this.interruptStmt.run(now.toISOString()).changes;
  }
}

import { CalibrationRepo } from './calibration-repo.js';
import { CompareRepo } from './compare-repo.js';
import { openDatabase, type Db } from './db.js';
import { EvaluationCache } from './evaluation-cache.js';
import { JobsRepo } from './jobs-repo.js';
import { ModelsRepo } from './models-repo.js';
import { RunsRepo } from './runs-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { UsageRepo } from './usage-repo.js';

/** The daemon's SQLite file and its repositories; the only place that knows SQL. */
export class Store {
  readonly models: ModelsRepo;
  readonly settings: SettingsRepo;
  readonly usage: UsageRepo;
  readonly jobs: JobsRepo;
  readonly compare: CompareRepo;
  readonly calibrations: CalibrationRepo;
  readonly runs: RunsRepo;

  /** A sentence about the database file for /api/health, when something needs the photographer's attention. */
  readonly notice: string | undefined;

  private readonly writesStmt;

  constructor(private readonly db: Db, notice?: string) {
    this.notice = notice;
    // Rows written on this connection, triggers included. The daemon's is the only connection that writes
    // the file (the lock keeps one daemon per data dir; the CLI goes through HTTP); PRAGMA data_version,
    // which would see other connections, costs ten times as much.
    this.writesStmt = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.models = new ModelsRepo(db);
    this.settings = new SettingsRepo(db);
    this.usage = new UsageRepo(db);
    this.jobs = new JobsRepo(db);
    this.compare = new CompareRepo(db);
    this.calibrations = new CalibrationRepo(db);
    this.runs = new RunsRepo(db);
  }

  static open(dataDir: string): Store {
    const { db, movedAside } = openDatabase(dataDir);
    return new Store(db, movedAside ? `The database could not be read and was moved aside to ${movedAside}; Junmai started a new one. Statistics from before are in that file.` : undefined);
  }

  /** The evaluation result cache on this connection, bounded to `maxRows` (0: off). */
  evaluationCache(maxRows: number, onError?: (err: unknown) => void): EvaluationCache {
    return new EvaluationCache(this.db, maxRows, onError);
  }

  /** Runs fn in one transaction: everything it writes lands, or nothing does. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * A number that grows whenever a row of the file changes, whichever repository wrote it: what a
   * cache of an answer built from the store compares to know it is still right, without knowing every writer.
   */
  writeStamp(): number {
    return this.writesStmt.get() as number;
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** A cheap query that proves the file is open and readable, for /api/health. */
  ping(): boolean {
    return this.db.prepare('SELECT 1').pluck().get() === 1;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

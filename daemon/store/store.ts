import { openDatabase, type Db } from './db.js';
import { JobsRepo } from './jobs-repo.js';
import { ModelsRepo } from './models-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { UsageRepo } from './usage-repo.js';

/** The daemon's SQLite file and its repositories; the only place that knows SQL. */
export class Store {
  readonly models: ModelsRepo;
  readonly settings: SettingsRepo;
  readonly usage: UsageRepo;
  readonly jobs: JobsRepo;

  constructor(private readonly db: Db) {
    this.models = new ModelsRepo(db);
    this.settings = new SettingsRepo(db);
    this.usage = new UsageRepo(db);
    this.jobs = new JobsRepo(db);
  }

  static open(dataDir: string): Store {
    return new Store(openDatabase(dataDir));
  }

  /** Runs fn in one transaction: everything it writes lands, or nothing does. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
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

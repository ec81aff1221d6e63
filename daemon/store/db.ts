import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE_NAME = 'junmai.db';

export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/**
 * Opens (creating if needed) the daemon's one SQLite file. WAL lets the statistics readers run
 * while usage rows are written; synchronous=NORMAL in WAL mode keeps every committed transaction
 * across a crash of the daemon (only a power cut can lose the last few), at a fraction of FULL's cost.
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DB_FILE_NAME);
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    throw new StoreOpenError(`Cannot open the Junmai database at ${path}: ${(err as Error).message}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Applies each numbered migration in its own transaction that ends by setting user_version, so a
 * crash mid-migration leaves the previous version intact. A file written by a newer daemon is
 * refused rather than guessed at: downgrading must not silently lose or corrupt its data.
 */
export function migrate(db: Db, path = 'the database'): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS.length;
  if (current > latest) {
    throw new StoreOpenError(
      `The Junmai database at ${path} was written by a newer version of Junmai (schema ${current}, this version knows ${latest}). Update Junmai, or move that file aside to start afresh.`,
    );
  }
  for (let version = current + 1; version <= latest; version++) {
    const step = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir, privateFile } from '../private-files.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE_NAME = 'junmai.db';

export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

const CORRUPTION_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

export interface OpenedDatabase {
  db: Db;
  /** Set when the file was unreadable and moved aside; the daemon reports it instead of hiding it. */
  movedAside: string | undefined;
}

function openChecked(path: string): Db {
  const db = new Database(path);
  try {
    // Before anything writes (switching to WAL rewrites the header): a newer file must stay exactly as it was.
    refuseNewer(db.pragma('user_version', { simple: true }) as number, path);
    db.pragma('journal_mode = WAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`integrity check failed: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens (creating if needed) the daemon's one SQLite file. WAL lets the statistics readers run
 * while usage rows are written; synchronous=NORMAL in WAL mode keeps every committed transaction
 * across a crash of the daemon (only a power cut can lose the last few), at a fraction of FULL's cost.
 *
 * A file SQLite cannot read is never overwritten: it is renamed `junmai.db.corrupt-<time>` (with
 * its WAL) so it can be recovered by hand, a fresh database is started, and the caller reports it.
 */
export function openDatabase(dataDir: string, now: Date = new Date()): OpenedDatabase {
  privateDir(dataDir);
  const path = join(dataDir, DB_FILE_NAME);
  let db: Db;
  let movedAside: string | undefined;
  try {
    db = openChecked(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (err instanceof StoreOpenError) throw err;
    if (!code || !CORRUPTION_CODES.has(code)) {
      throw new StoreOpenError(`Cannot open the Junmai database at ${path}: ${(err as Error).message}`);
    }
    movedAside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, movedAside + suffix);
    }
    db = openChecked(path);
  }
  // SQLite creates its WAL and shared-memory files later with the database file's own mode.
  for (const suffix of ['', '-wal', '-shm']) privateFile(path + suffix);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
  return { db, movedAside };
}

function refuseNewer(version: number, path: string): void {
  if (version > MIGRATIONS.length) {
    throw new StoreOpenError(
      `The Junmai database at ${path} was written by a newer version of Junmai (schema ${version}, this version knows ${MIGRATIONS.length}). Update Junmai, or move that file aside to start afresh.`,
    );
  }
}

/**
 * Applies each numbered migration in its own transaction that ends by setting user_version, so a
 * crash mid-migration leaves the previous version intact. A file written by a newer daemon is
 * refused rather than guessed at: downgrading must not silently lose or corrupt its data.
 */
export function migrate(db: Db, path = 'the database'): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS.length;
  refuseNewer(current, path);
  for (let version = current + 1; version <= latest; version++) {
    const step = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version}`);
    })();
  }
}

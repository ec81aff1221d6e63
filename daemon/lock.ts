import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { privateDir } from './private-files.js';

/**
 * One daemon per data dir. The lock file names the running daemon so that a second one can say
 * which daemon it yields to, and so that `junmai service status` finds the URL actually in use.
 */
export const LOCK_FILE = 'daemon.lock';

export interface LockInfo {
  pid: number;
  port: number;
  url: string;
  started_at: string;
}

export class LockHeldError extends Error {
  override name = 'LockHeldError';
  constructor(readonly holder: LockInfo, readonly path: string) {
    super(
      holder.pid > 0
        ? `another Junmai daemon is already running with this data directory (pid ${holder.pid}, ${holder.url}); not starting a second one`
        : `another Junmai daemon is starting with this data directory (${path}); not starting a second one`,
    );
  }
}

export interface DaemonLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Records the address actually listened on, once known. */
  update(patch: Partial<Pick<LockInfo, 'port' | 'url'>>): void;
  /** Removes the file if it is still ours. Safe to call more than once, and from an 'exit' handler. */
  release(): void;
}

export interface LockOptions {
  pid?: number;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
  /** When the machine booted (ms since epoch): a lock from before it is stale even if its pid is in use again. */
  bootTimeMs?: number;
}

/** `kill(pid, 0)` probes without signalling: ESRCH means gone; EPERM means alive but someone else's. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/** The lock's contents, or undefined when there is no lock or it is unreadable. */
export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.url !== 'string') return undefined;
    return { pid: v.pid, port: Number(v.port ?? 0), url: v.url, started_at: String(v.started_at ?? '') };
  } catch {
    return undefined;
  }
}

/** A lock file that was created but not yet written is given this long before it counts as abandoned. */
const FRESH_EMPTY_LOCK_MS = 5_000;

/**
 * Takes the lock (created with `wx`, so two daemons cannot both create it) or throws LockHeldError
 * naming the daemon that holds it. A lock whose process is gone (crash, kill -9, power loss) is taken over.
 */
export function acquireLock(dataDir: string, where: { port: number; url: string }, o: LockOptions = {}): DaemonLock {
  const pid = o.pid ?? process.pid;
  const isAlive = o.isAlive ?? isProcessAlive;
  const bootTimeMs = o.bootTimeMs ?? Date.now() - uptime() * 1000;
  const path = lockPath(dataDir);
  const info: LockInfo = { pid, port: where.port, url: where.url, started_at: (o.now ?? (() => new Date()))().toISOString() };
  privateDir(dataDir);

  // Two rounds: the second follows the removal of a stale lock; losing that race to another daemon is reported like any held lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(dataDir);
      if (holder && !isStale(holder, pid, isAlive, bootTimeMs)) throw new LockHeldError(holder, path);
      if (!holder && ageMs(path) < FRESH_EMPTY_LOCK_MS) {
        throw new LockHeldError({ pid: 0, port: 0, url: '', started_at: '' }, path);
      }
      removeQuietly(path);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(info) + '\n');
    } finally {
      closeSync(fd);
    }
    return makeLock(path, dataDir, info);
  }
  const holder = readLock(dataDir);
  throw new LockHeldError(holder ?? { pid: 0, port: 0, url: '', started_at: '' }, path);
}

function isStale(holder: LockInfo, ownPid: number, isAlive: (pid: number) => boolean, bootTimeMs: number): boolean {
  // Our own pid in the file means a previous life of this pid (containers restart as pid 1).
  if (holder.pid === ownPid) return true;
  if (!isAlive(holder.pid)) return true;
  // After a reboot a small pid is soon reused by some other program; a lock older than the boot cannot be live.
  const started = Date.parse(holder.started_at);
  return Number.isFinite(started) && started < bootTimeMs - 60_000;
}

function makeLock(path: string, dataDir: string, info: LockInfo): DaemonLock {
  let released = false;
  return {
    path,
    info,
    update(patch) {
      if (released) return;
      Object.assign(info, patch);
      writeFileSync(path, JSON.stringify(info) + '\n');
    },
    release() {
      if (released) return;
      released = true;
      if (readLock(dataDir)?.pid === info.pid) removeQuietly(path);
    },
  };
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

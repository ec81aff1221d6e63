import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';

/**
 * The data directory holds the access token, the photographer's usage history and the logs: on a
 * shared computer no other account may read them. POSIX modes only; Windows keeps a user's
 * AppData private by its own ACLs and ignores these.
 */
const POSIX = process.platform !== 'win32';

/** Creates the directory (and missing parents) for this user alone, and tightens it if it is wider. */
export function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (POSIX && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o700);
}

/** Makes an existing file readable and writable by this user alone; a missing file is left missing. */
export function privateFile(path: string): void {
  if (POSIX && existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
}

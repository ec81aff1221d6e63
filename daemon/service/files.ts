import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ServiceError, type ServiceOptions } from './types.js';

/** Writes only when the content differs, so a repeated install can tell it has nothing to reload. Owner-only: the env may hold a token. */
export function writeIfChanged(path: string, content: string | Buffer): boolean {
  const next = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (existsSync(path) && readFileSync(path).equals(next)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, next, { mode: 0o600 });
  chmodSync(path, 0o600);
  return true;
}

/** True when the file was there. */
export function removeFile(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Removes a directory we created once it holds nothing else; never anything the user put there. */
export function removeDirIfEmpty(path: string): void {
  try {
    if (readdirSync(path).length === 0) rmdirSync(path);
  } catch {
    // absent or not ours to remove
  }
}

/** A service naming a node or an entry that is not there would fail at every login, silently. */
export function assertRunnable(o: ServiceOptions): void {
  if (!existsSync(o.nodePath)) throw new ServiceError(`Node.js was not found at ${o.nodePath}.`);
  if (!existsSync(o.entryPath)) {
    throw new ServiceError(`The daemon is not built: ${o.entryPath} is missing. Run "npm run build" first.`);
  }
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

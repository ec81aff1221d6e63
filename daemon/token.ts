import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost, type Config } from './config.js';

export const TOKEN_FILE = 'token';

/**
 * The access token in force: JUNMAI_TOKEN when set; otherwise, when the daemon listens beyond
 * loopback, one generated once into the data dir, readable by this user alone (0600).
 * On loopback without JUNMAI_TOKEN there is none: Host and Origin checks guard that case.
 */
export function resolveToken(config: Config): string | undefined {
  if (config.token) return config.token;
  if (isLoopbackHost(config.host)) return undefined;
  const path = join(config.dataDir, TOKEN_FILE);
  if (existsSync(path)) {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= 16) return existing;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

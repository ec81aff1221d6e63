import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, isLoopbackHost, MIN_TOKEN_LENGTH, type Config } from './config.js';
import { privateDir, privateFile } from './private-files.js';

export const TOKEN_FILE = 'token';

/**
 * The access token in force: JUNMAI_TOKEN when set; otherwise, when the daemon listens beyond
 * loopback, one generated once into the data dir, readable by this user alone (0600; a file found
 * with wider permissions is tightened). A token file too short to resist guessing is refused, not
 * silently replaced: clients configured with it would all stop working without saying why.
 * On loopback without JUNMAI_TOKEN there is none: Host and Origin checks guard that case.
 */
export function resolveToken(config: Config): string | undefined {
  if (config.token) return config.token;
  if (isLoopbackHost(config.host)) return undefined;
  privateDir(config.dataDir);
  const path = join(config.dataDir, TOKEN_FILE);
  if (existsSync(path)) {
    privateFile(path);
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= MIN_TOKEN_LENGTH) return existing;
    throw new ConfigError(
      `the token in ${path} is shorter than ${MIN_TOKEN_LENGTH} characters, too easy to guess; delete the file to have a new one generated (then give the new token to Lightroom and the CLI)`,
    );
  }
  const token = randomBytes(32).toString('base64url');
  // A new file gets this mode as it is created (a umask can only narrow it).
  writeFileSync(path, token + '\n', { mode: 0o600 });
  return token;
}

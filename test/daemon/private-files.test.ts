import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../daemon/config.js';
import { acquireLock } from '../../daemon/lock.js';
import { logDir, logFiles, openLog } from '../../daemon/logging.js';
import { resolveToken } from '../../daemon/token.js';
import { startTestDaemon } from '../support/daemon.js';

const mode = (path: string) => statSync(path).mode & 0o777;
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A data dir that already exists with the permissions a default umask gives (0755). */
function wideDataDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'junmai-private-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o755 });
  chmodSync(data, 0o755);
  return data;
}

describe.skipIf(process.platform === 'win32')('private files', () => {
  it('the data dir is 0700 and the database with its WAL and shared memory 0600, even under a permissive umask', async () => {
    const data = wideDataDir();
    const previous = process.umask(0o002);
    try {
      const t = await startTestDaemon({ dataDir: data });
      try {
        await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', duration_ms: 1, success: true } });
        expect(mode(data)).toBe(0o700);
        const files = readdirSync(data).filter((f) => f.startsWith('junmai.db'));
        expect(files.sort()).toEqual(['junmai.db', 'junmai.db-shm', 'junmai.db-wal']);
        for (const f of files) expect(mode(join(data, f)), f).toBe(0o600);
      } finally {
        await t.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('the lock file and the logs are 0600 in a 0700 folder', async () => {
    const data = wideDataDir();
    const lock = acquireLock(data, { port: 1, url: 'http://127.0.0.1:1' });
    expect(mode(lock.path)).toBe(0o600);
    lock.release();
    const logging = await openLog({ dataDir: data });
    logging.logger.info('hello');
    await logging.close();
    expect(mode(logDir(data))).toBe(0o700);
    const files = logFiles(data);
    expect(files.length).toBe(1);
    for (const f of files) expect(mode(f), f).toBe(0o600);
  });

  it('tightens a token file with wider permissions, and refuses one shorter than 32 characters', () => {
    const data = wideDataDir();
    const config = loadConfig({ JUNMAI_HOST: '0.0.0.0', JUNMAI_DATA_DIR: data });
    const path = join(data, 'token');
    writeFileSync(path, 'k'.repeat(40) + '\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    expect(resolveToken(config)).toBe('k'.repeat(40));
    expect(mode(path)).toBe(0o600);
    writeFileSync(path, 'k'.repeat(31) + '\n');
    expect(() => resolveToken(config)).toThrow(/shorter than 32 characters.*delete the file/);
  });
});

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentLogFile, logDir, logFiles, openLog, tailLog } from '../../daemon/logging.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe('daemon log', () => {
  it('writes JSON lines to <data dir>/logs and names the current file', async () => {
    const log = await openLog({ dataDir: dir, level: 'info' });
    log.logger.info({ port: 5100 }, 'hello');
    log.logger.debug('not at info');
    await log.close();
    expect(log.file()).toBe(join(dir, 'logs', 'junmai.1.log'));
    expect(currentLogFile(dir)).toBe(log.file());
    const written = readFileSync(log.file(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(written).toEqual([expect.objectContaining({ level: 30, msg: 'hello', port: 5100, pid: process.pid })]);
  });

  it('rotates by size and keeps a bounded number of files', async () => {
    const log = await openLog({ dataDir: dir, maxSize: '1k', files: 3 });
    for (let i = 0; i < 120; i++) {
      log.logger.info({ i }, 'a line long enough to fill a kilobyte in a few dozen writes');
      // Rotation happens between writes (pino-roll waits for a drain); a burst goes to one file.
      await new Promise((r) => setTimeout(r, 2));
    }
    await log.close();
    const files = logFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(3);
    expect(tailLog(dir, 5).map((l) => JSON.parse(l).i)).toEqual([115, 116, 117, 118, 119]);
    // Everything kept, across the files: consecutive, ending with the last line, longer than the current file.
    const all = tailLog(dir, 1000).map((l) => JSON.parse(l).i as number);
    expect(all).toEqual(Array.from({ length: all.length }, (_, k) => 120 - all.length + k));
    expect(all.length).toBeGreaterThan(readFileSync(files.at(-1) as string, 'utf8').split('\n').length);
  });

  it('rejects an unknown level with the variable to fix', async () => {
    await expect(openLog({ dataDir: dir, level: 'loud' })).rejects.toThrow(/JUNMAI_LOG_LEVEL must be one of/);
  });
});

describe('tailLog', () => {
  const write = (name: string, content: string) => {
    mkdirSync(logDir(dir), { recursive: true });
    writeFileSync(join(logDir(dir), name), content);
  };

  it('reaches back across rotated files in number order (not name order), oldest first', () => {
    write('junmai.9.log', lines(1, 5).join('\n') + '\n');
    write('junmai.10.log', lines(6, 8).join('\n') + '\n');
    write('other.log', 'not ours\n');
    expect(tailLog(dir, 2)).toEqual(lines(7, 8));
    expect(tailLog(dir, 5)).toEqual(lines(4, 8));
    expect(tailLog(dir, 100)).toEqual(lines(1, 8));
    expect(currentLogFile(dir)).toBe(join(logDir(dir), 'junmai.10.log'));
  });

  it('reads a large file from the end without splitting multi-byte characters', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `línea ${i} — ✓ ${'é'.repeat(i % 7)}`);
    write('junmai.1.log', many.join('\n') + '\n');
    expect(tailLog(dir, 3)).toEqual(many.slice(-3));
    expect(tailLog(dir, 5000)).toEqual(many.slice(-5000));
  });

  it('handles a last line without newline, an empty file, and no log at all', () => {
    expect(tailLog(dir, 10)).toEqual([]);
    expect(currentLogFile(dir)).toBeUndefined();
    write('junmai.1.log', 'a\nb');
    write('junmai.2.log', '');
    expect(tailLog(dir, 10)).toEqual(['a', 'b']);
    expect(tailLog(dir, 0)).toEqual([]);
    expect(readdirSync(logDir(dir)).length).toBe(2);
  });
});

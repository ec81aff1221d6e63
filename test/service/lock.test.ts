import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, isProcessAlive, LOCK_FILE, LockHeldError, readLock } from '../../daemon/lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited: what a crashed daemon leaves in its lock. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const where = { port: 5100, url: 'http://127.0.0.1:5100' };
const writeLock = (v: object) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(v));

describe('daemon.lock', () => {
  it('records pid, port, url and start time, and is released by its owner', () => {
    const lock = acquireLock(dir, where, { pid: 4242, isAlive: () => true, now: () => new Date('2026-01-02T03:04:05Z') });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: 4242, port: 5100, url: 'http://127.0.0.1:5100', started_at: '2026-01-02T03:04:05.000Z' });
    lock.update({ port: 5101, url: 'http://127.0.0.1:5101' });
    expect(readLock(dir)).toMatchObject({ pid: 4242, port: 5101, url: 'http://127.0.0.1:5101' });
    lock.release();
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second daemon while the first is alive, naming its pid and URL', () => {
    acquireLock(dir, where, { pid: process.pid });
    const err = (() => {
      try {
        acquireLock(dir, { port: 5200, url: 'http://127.0.0.1:5200' }, { pid: process.pid + 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).message).toBe(
      `another Junmai daemon is already running with this data directory (pid ${process.pid}, http://127.0.0.1:5100); not starting a second one`,
    );
    expect(readLock(dir)?.pid).toBe(process.pid);
  });

  it('takes over the lock of a process that is gone', () => {
    const pid = deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    writeLock({ pid, port: 5100, url: where.url, started_at: new Date().toISOString() });
    const lock = acquireLock(dir, where, { pid: process.pid });
    expect(readLock(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock from before the last boot even if its pid is in use again', () => {
    writeLock({ pid: process.ppid, port: 5100, url: where.url, started_at: '2020-01-01T00:00:00Z' });
    acquireLock(dir, where, { pid: 77, bootTimeMs: Date.parse('2021-01-01T00:00:00Z') });
    expect(readLock(dir)?.pid).toBe(77);
  });

  it('takes over a lock naming its own pid (a previous life of this pid, as in a container)', () => {
    writeLock({ pid: 1, port: 5100, url: where.url, started_at: new Date().toISOString() });
    acquireLock(dir, where, { pid: 1, isAlive: () => true });
    expect(readLock(dir)?.started_at).not.toBe('');
  });

  it('treats an empty lock as a daemon starting up, unless it is old', () => {
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(() => acquireLock(dir, where, { pid: 5 })).toThrow(/starting with this data directory/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    acquireLock(dir, where, { pid: 5 });
    expect(readLock(dir)?.pid).toBe(5);
  });

  it('release leaves a lock that another daemon took over', () => {
    const mine = acquireLock(dir, where, { pid: 10, isAlive: () => false });
    acquireLock(dir, where, { pid: 11, isAlive: () => false });
    mine.release();
    expect(readLock(dir)?.pid).toBe(11);
  });

  it('isProcessAlive: this process yes, nonsense pids no', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});

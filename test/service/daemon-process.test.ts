import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCK_FILE, readLock } from '../../daemon/lock.js';
import { currentLogFile } from '../../daemon/logging.js';
import { startOllamaEmulator } from '../emulator/index.js';

/** The real entry point in real processes: locks, signals and exit codes only exist there. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHUTDOWN_BOUND_MS = 10_000;

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'junmai-proc-'));
  dirs.push(d);
  return d;
}

/** A port nobody listens on: bind to 0, read it, let it go. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function startDaemon(dataDir: string, port: number, env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'daemon/main.ts'], {
    cwd: root,
    env: { ...process.env, JUNMAI_DATA_DIR: dataDir, JUNMAI_PORT: String(port), OLLAMA_HOST: 'http://127.0.0.1:9', JUNMAI_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout?.resume();
  const t0 = Date.now();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal, ms: Date.now() - t0 })),
  );
  return { child, stderr: () => err, exited };
}

async function waitHealthy(url: string, run: Run, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`daemon exited ${run.child.exitCode}: ${run.stderr()}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`daemon at ${url} did not answer: ${run.stderr()}`);
}

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('one daemon per data dir', () => {
  it('a second daemon exits at once with one line naming the running one; the first keeps serving', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = startDaemon(dataDir, port);
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, first);
    expect(readLock(dataDir)).toMatchObject({ pid: first.child.pid, port, url });

    const second = startDaemon(dataDir, await freePort());
    const { code, ms } = await second.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(second.stderr()).toBe(
      `junmai: another Junmai daemon is already running with this data directory (pid ${first.child.pid}, ${url}); not starting a second one\n`,
    );
    expect((await fetch(`${url}/api/health`)).ok).toBe(true);
    expect(readLock(dataDir)?.pid).toBe(first.child.pid);

    // Twice, as when a terminal's Ctrl-C reaches `junmai serve` and it forwards the signal: still one clean stop.
    first.child.kill('SIGINT');
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 40_000);

  it('takes over the lock a crashed daemon left behind', async () => {
    const dataDir = tempDir();
    const stalePid = deadPid();
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: stalePid, port: 1, url: 'http://127.0.0.1:1', started_at: new Date().toISOString() }));
    const port = await freePort();
    const run = startDaemon(dataDir, port);
    await waitHealthy(`http://127.0.0.1:${port}`, run);
    expect(readLock(dataDir)).toMatchObject({ pid: run.child.pid, url: `http://127.0.0.1:${port}` });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 30_000);

  it('says which port is busy when another program holds it, and leaves no lock', async () => {
    const dataDir = tempDir();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startDaemon(dataDir, port);
      const { code } = await run.exited;
      expect(code).toBe(2);
      expect(run.stderr()).toBe(`junmai: port ${port} is already in use on 127.0.0.1 by another program; stop that program or choose another port with JUNMAI_PORT\n`);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    } finally {
      blocker.close();
    }
  }, 30_000);
});

describe('graceful shutdown', () => {
  it('on SIGTERM: interrupts the download, closes sockets with 1001, releases the lock, logs, exits 0 in time', async () => {
    // Slow enough that the download is still running when the signal arrives.
    const emu = await startOllamaEmulator({ installed: [], pullBytesPerSecond: 64 * 1024 });
    try {
      const dataDir = tempDir();
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const run = startDaemon(dataDir, port, { OLLAMA_HOST: emu.url });
      await waitHealthy(url, run);

      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const events: { type: string; data: Record<string, unknown> }[] = [];
      ws.on('message', (m) => events.push(JSON.parse(String(m))));
      const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
      await new Promise<void>((r, j) => { ws.once('open', () => r()); ws.once('error', j); });

      const dl = await fetch(`${url}/api/model/download`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny-vision:1b' }) });
      expect(dl.status).toBe(202);
      const jobId = ((await dl.json()) as { job: { id: string } }).job.id;
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.type === 'download.progress' && (e.data.job as { completed_bytes: number }).completed_bytes > 0)) {
        if (Date.now() > deadline) throw new Error('the download never progressed');
        await new Promise((r) => setTimeout(r, 50));
      }

      run.child.kill('SIGTERM');
      const [{ code, signal, ms }, close] = await Promise.all([run.exited, closed]);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(close).toEqual({ code: 1001, reason: 'daemon shutting down' });
      expect(events.map((e) => e.type)).toContain('download.interrupted');
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
      expect(ms).toBeLessThan(SHUTDOWN_BOUND_MS + 5_000);

      const db = new Database(join(dataDir, 'junmai.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT status, error_code FROM download_jobs WHERE id = ?').get(jobId)).toEqual({ status: 'interrupted', error_code: 'INTERRUPTED' });
      } finally {
        db.close();
      }

      const logFile = currentLogFile(dataDir);
      expect(logFile).toBe(join(dataDir, 'logs', 'junmai.1.log'));
      const entries = readFileSync(logFile as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
      const messages = entries.map((e) => e.msg);
      expect(messages.some((m) => m.includes(` is listening on ${url} (pid ${run.child.pid}).`))).toBe(true);
      expect(messages).toContain('SIGTERM received, shutting down');
      expect(messages.at(-1)).toBe('stopped');
    } finally {
      await emu.close();
    }
  }, 60_000);

  it('forces the exit after the bound when a request will not finish, and still releases the lock', async () => {
    const emu = await startOllamaEmulator({ installed: [] });
    try {
      const dataDir = tempDir();
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const run = startDaemon(dataDir, port, { OLLAMA_HOST: emu.url, JUNMAI_OLLAMA_TIMEOUT_MS: '600000' });
      await waitHealthy(url, run);
      emu.fault('tags', { kind: 'hang' });
      const stuck = fetch(`${url}/api/model/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));

      run.child.kill('SIGTERM');
      const { code, ms } = await run.exited;
      await stuck;
      expect(code).toBe(1);
      expect(ms).toBeGreaterThanOrEqual(SHUTDOWN_BOUND_MS - 500);
      expect(ms).toBeLessThan(SHUTDOWN_BOUND_MS + 5_000);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
      expect(readFileSync(currentLogFile(dataDir) as string, 'utf8')).toContain('shutdown took longer than 10 s, forcing exit');
    } finally {
      await emu.close();
    }
  }, 60_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAEMON_VERSION } from '../../daemon/version.js';
import { startOllamaEmulator } from '../emulator/index.js';
import { spawn } from 'node:child_process';
import { freePort } from '../support/child-daemon.js';
import { cli, ROOT } from './cli.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'junmai-start-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

interface Started {
  url: string;
  pid: number;
  /** What the daemon printed on stdout: its start line, once it listens. */
  stdout: string;
}

/** The daemon's entry as its own process, as `npm start` runs it; resolves with its first line. */
async function daemon(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'daemon/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, JUNMAI_LOG_LEVEL: 'info', ...env, JUNMAI_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => proc.once('exit', r));
  cleanups.push(async () => {
    proc.kill('SIGTERM');
    await exited;
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line within 30 s: ${out}${err}`)), 30_000);
    // A refused configuration ends the process at once: say so then, with its words, not after 30 s.
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code}) before its start line: ${out}${err}`));
    });
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid as number, stdout: out };
}

describe('the daemon at start', () => {
  it('prints one line: the address, the Ollama it talks to and that it answers, where the data and the log are', async () => {
    const emu = await startOllamaEmulator({ installed: ['gemma3:4b'], version: '0.12.3' });
    cleanups.push(() => emu.close());
    const dataDir = tempDir();
    const d = await daemon({ JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: emu.url });
    expect(d.stdout).toBe(
      `Junmai ${DAEMON_VERSION} is listening on ${d.url} (pid ${d.pid}). Ollama at ${emu.url} answers (version 0.12.3). ` +
        `Data in ${dataDir}, log in ${join(dataDir, 'logs', 'junmai.1.log')}.\n`,
    );

    // Requests are not logged one line each; a change of the current model is.
    for (let i = 0; i < 5; i++) await fetch(`${d.url}/api/model/list`);
    await fetch(`${d.url}/api/model/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const sw = await fetch(`${d.url}/api/model/switch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gemma3:4b' }) });
    expect(sw.status).toBe(200);
    const logFile = join(dataDir, 'logs', 'junmai.1.log');
    let entries: Array<{ msg: string; event?: string; model?: string; req?: unknown }> = [];
    for (let i = 0; i < 100 && !entries.some((e) => e.event === 'model.switched'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      entries = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    }
    expect(entries.find((e) => e.event === 'model.switched')).toMatchObject({ msg: 'model.switched', model: 'gemma3:4b', previous_model: null });
    expect(entries.filter((e) => e.req !== undefined || /request/.test(e.msg))).toEqual([]);
    expect(entries.filter((e) => / is listening on /.test(e.msg)).map((e) => e.msg)).toEqual([d.stdout.trim()]);

    // `junmai logs` reads the running daemon's log, whatever JUNMAI_DATA_DIR the shell has.
    const logs = await cli(['--url', d.url, 'logs', '--json', '-n', '200'], { JUNMAI_DATA_DIR: tempDir() });
    expect(logs.code).toBe(0);
    const body = JSON.parse(logs.stdout) as { file: string; lines: string[] };
    expect(body.file).toBe(logFile);
    expect(body.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('model.switched');
  }, 60_000);

  it('says when Ollama does not answer and where the access token comes from', async () => {
    const dataDir = tempDir();
    const d = await daemon({ JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: 'http://127.0.0.1:9', JUNMAI_TOKEN: 'a-token-of-at-least-thirty-two-characters' });
    expect(d.stdout).toBe(
      `Junmai ${DAEMON_VERSION} is listening on ${d.url} (pid ${d.pid}). Ollama at http://127.0.0.1:9 does not answer (start Ollama, or set OLLAMA_HOST). ` +
        `Data in ${dataDir}, log in ${join(dataDir, 'logs', 'junmai.1.log')}. Requests need the access token from JUNMAI_TOKEN.\n`,
    );
  }, 60_000);
});

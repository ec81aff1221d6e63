import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { http } from './http.js';

/** A port that was free a moment ago: the daemon's config takes 1–65535, not 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ChildDaemon {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The real daemon entry point as its own process, ready when /api/health answers: from the sources
 * (`node --import tsx daemon/main.ts`), or as `npm start` runs it, from the build (`dist/`, which
 * benchmarks measure: tsx keeps function names by wrapping every closure it creates, a cost the build does not have).
 */
export async function spawnDaemon(env: Record<string, string>, timeoutMs = 15_000, from: 'sources' | 'build' = 'sources'): Promise<ChildDaemon> {
  const port = env.JUNMAI_PORT ?? String(await freePort());
  const proc = spawn(process.execPath, from === 'build' ? ['dist/daemon/main.js'] : ['--import', 'tsx', 'daemon/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, JUNMAI_LOG_LEVEL: 'warn', ...env, JUNMAI_PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`daemon exited with ${proc.exitCode}: ${out}`);
    const ok = await http(url, 'GET', '/api/health').then((r) => r.status === 200, () => false);
    if (ok) return { proc, url, output: () => out, exited };
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`daemon did not answer within ${timeoutMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

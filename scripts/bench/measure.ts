import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Load {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

/**
 * Requests per second a URL sustains for `seconds` with `connections` keep-alive clients, and their
 * latency, from autocannon in a child process (load-process.ts): run in the server's own process it
 * took half the server's core, and its latencies counted the wait for its own turn on the event loop.
 */
export function requestsPerSecond(url: string, o: { seconds?: number; connections?: number; method?: 'GET' | 'POST'; body?: string } = {}): Promise<Load> {
  const options = {
    url,
    duration: o.seconds ?? 3,
    connections: o.connections ?? 10,
    method: o.method ?? 'GET',
    ...(o.body ? { body: o.body, headers: { 'content-type': 'application/json' } } : {}),
  };
  const child = fork(fileURLToPath(new URL('./load-process.ts', import.meta.url)), [JSON.stringify(options)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m: Load) => resolve(m));
    // After the answer this rejects nothing; before it, a child gone without one fails the run rather than hanging it.
    child.once('exit', (code) => reject(new Error(`autocannon exited with ${code} before its figures`)));
  });
}

/** Median wall time of `runs` calls, in milliseconds. */
export async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** The middle value (the upper of the two middle ones for an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export function row(name: string, value: string, baseline: string, ratio: number): string {
  return `${name.padEnd(44)} ${value.padStart(16)}   baseline ${baseline.padStart(16)}   ratio ${ratio.toFixed(2)}`;
}

export const fmt = (n: number, unit: string) => `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)} ${unit}`;

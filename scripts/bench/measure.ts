import autocannon from 'autocannon';

/** Requests per second a URL sustains for `seconds` with `connections` keep-alive clients. */
export async function requestsPerSecond(url: string, o: { seconds?: number; connections?: number; method?: 'GET' | 'POST'; body?: string } = {}): Promise<{ rps: number; p99ms: number; errors: number }> {
  const r = await autocannon({
    url,
    duration: o.seconds ?? 3,
    connections: o.connections ?? 10,
    method: o.method ?? 'GET',
    ...(o.body ? { body: o.body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return { rps: r.requests.average, p99ms: r.latency.p99, errors: r.errors + r.non2xx };
}

/** Median wall time of `runs` calls, in milliseconds. */
export async function medianMs(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function row(name: string, value: string, baseline: string, ratio: number): string {
  return `${name.padEnd(44)} ${value.padStart(16)}   baseline ${baseline.padStart(16)}   ratio ${ratio.toFixed(2)}`;
}

export const fmt = (n: number, unit: string) => `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)} ${unit}`;

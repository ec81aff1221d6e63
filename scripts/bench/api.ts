import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLog } from '../../daemon/logging.js';
import { startTestDaemon } from '../../test/support/daemon.js';
import { fmt, requestsPerSecond, row } from './measure.js';

const CONNECTIONS = 50;
const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * GET /api/model/list through a daemon logging as in production (pino into the rotated file, level
 * info) vs a bare Fastify route returning the same bytes, alternated over rounds at 50 connections.
 */
export async function benchList(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'junmai-bench-list-'));
  const logging = await openLog({ dataDir, level: 'info' });
  const t = await startTestDaemon({ dataDir, installed: ['gemma3:4b', 'qwen2.5vl:7b', 'llama3.2-vision:11b'], logger: logging.fastifyLogger });
  const bare = Fastify();
  try {
    await t.req('POST', '/api/model/sync', { body: {} });
    // Some models with figures, most without: the list's usual mix.
    await t.req('POST', '/api/model/usage', { body: Array.from({ length: 50 }, (_, i) => ({ model: i % 2 ? 'gemma3:4b' : 'qwen2.5vl:7b', duration_ms: 900 + i, success: true })) });
    const payload = (await t.req('GET', '/api/model/list')).text;
    bare.get('/list', async (_req, reply) => reply.type('application/json').send(payload));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const port = (bare.server.address() as { port: number }).port;
    const ratios: number[] = [];
    const ours: { rps: number; p99ms: number; errors: number }[] = [];
    const base: typeof ours = [];
    for (let i = 0; i < ROUNDS; i++) {
      base.push(await requestsPerSecond(`http://127.0.0.1:${port}/list`, { connections: CONNECTIONS }));
      ours.push(await requestsPerSecond(`${t.url}/api/model/list`, { connections: CONNECTIONS }));
      ratios.push((ours.at(-1)?.rps ?? 0) / (base.at(-1)?.rps ?? 1));
    }
    const errors = [...ours, ...base].reduce((n, r) => n + r.errors, 0);
    return [
      row(`GET /api/model/list, ${CONNECTIONS} conns (req/s)`, fmt(median(ours.map((r) => r.rps)), 'req/s'), fmt(median(base.map((r) => r.rps)), 'req/s'), median(ratios)),
      `  (median of ${ROUNDS} alternated rounds, ratio per round ${ratios.map((r) => r.toFixed(2)).join(' ')}; ${payload.length.toLocaleString('en-US')} bytes; production log at info)`,
      `  (p99 latency: daemon ${median(ours.map((r) => r.p99ms))} ms, bare ${median(base.map((r) => r.p99ms))} ms; autocannon rounds to whole ms)`,
      ...(errors > 0 ? [`  (errors or non-2xx: ${errors})`] : []),
    ];
  } finally {
    await bare.close();
    await t.close();
    await logging.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

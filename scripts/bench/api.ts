import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOllamaEmulator } from '../../test/emulator/index.js';
import { spawnDaemon } from '../../test/support/child-daemon.js';
import { http } from '../../test/support/http.js';
import { fmt, type Load, median, requestsPerSecond, row } from './measure.js';

const CONNECTIONS = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 5);

/**
 * GET /api/model/list from the daemon as `npm start` runs it (its own process, the build, the
 * production log at info) vs a bare Fastify route returning the same bytes, at 50 connections from
 * autocannon in a third process; alternated over rounds after a warm-up of each.
 */
export async function benchList(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'junmai-bench-list-'));
  const emu = await startOllamaEmulator({ installed: ['gemma3:4b', 'qwen2.5vl:7b', 'llama3.2-vision:11b'] });
  const d = await spawnDaemon({ JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: emu.url, JUNMAI_LOG_LEVEL: 'info' }, 15_000, 'build');
  const bare = Fastify();
  try {
    await http(d.url, 'POST', '/api/model/sync', { body: {} });
    // Some models with figures, most without: the list's usual mix.
    await http(d.url, 'POST', '/api/model/usage', { body: Array.from({ length: 50 }, (_, i) => ({ model: i % 2 ? 'gemma3:4b' : 'qwen2.5vl:7b', duration_ms: 900 + i, success: true })) });
    // As bytes, the fastest way Fastify sends them.
    const payload = Buffer.from((await http(d.url, 'GET', '/api/model/list')).text);
    bare.get('/list', async (_req, reply) => reply.type('application/json; charset=utf-8').send(payload));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const urls = { base: `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/list`, ours: `${d.url}/api/model/list` };
    for (const url of Object.values(urls)) await requestsPerSecond(url, { connections: CONNECTIONS, seconds: 2 });
    const ratios: number[] = [];
    const ours: Load[] = [];
    const base: Load[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      base.push(await requestsPerSecond(urls.base, { connections: CONNECTIONS }));
      ours.push(await requestsPerSecond(urls.ours, { connections: CONNECTIONS }));
      ratios.push((ours.at(-1)?.rps ?? 0) / (base.at(-1)?.rps ?? 1));
    }
    const errors = [...ours, ...base].reduce((n, r) => n + r.errors, 0);
    const ms = (loads: Load[], key: 'p50ms' | 'p99ms') => median(loads.map((r) => r[key]));
    return [
      row(`GET /api/model/list, ${CONNECTIONS} conns (req/s)`, fmt(median(ours.map((r) => r.rps)), 'req/s'), fmt(median(base.map((r) => r.rps)), 'req/s'), median(ratios)),
      `  (median of ${ROUNDS} alternated rounds of 3 s, ratio per round ${ratios.map((r) => r.toFixed(2)).join(' ')}; ${payload.length.toLocaleString('en-US')} bytes; production log at info)`,
      row(`  p99 latency, ${CONNECTIONS} conns`, fmt(ms(ours, 'p99ms'), 'ms'), fmt(ms(base, 'p99ms'), 'ms'), ms(base, 'p99ms') / ms(ours, 'p99ms')),
      `  (p50 daemon ${ms(ours, 'p50ms')} ms, bare ${ms(base, 'p50ms')} ms; whole ms, as autocannon reports them)`,
      ...(errors > 0 ? [`  (errors or non-2xx: ${errors})`] : []),
    ];
  } finally {
    await bare.close();
    d.proc.kill('SIGTERM');
    await d.exited;
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import Fastify from 'fastify';
import type { TestDaemon } from '../../test/support/daemon.js';
import { fmt, requestsPerSecond, row } from './measure.js';

/** GET /api/model/list through the whole daemon vs a bare Fastify route returning the same JSON. */
export async function benchList(t: TestDaemon): Promise<string[]> {
  const payload = (await t.req('GET', '/api/model/list')).text;
  const bare = Fastify();
  bare.get('/list', async (_req, reply) => reply.type('application/json').send(payload));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const port = (bare.server.address() as { port: number }).port;
  try {
    const base = await requestsPerSecond(`http://127.0.0.1:${port}/list`);
    const ours = await requestsPerSecond(`${t.url}/api/model/list`);
    return [
      row('GET /api/model/list (req/s)', fmt(ours.rps, 'req/s'), fmt(base.rps, 'req/s'), ours.rps / base.rps),
      `  (p99 latency at 10 connections: daemon ${ours.p99ms} ms, bare ${base.p99ms} ms; autocannon rounds to whole ms)`,
      ...(ours.errors + base.errors > 0 ? [`  (errors: daemon ${ours.errors}, bare ${base.errors})`] : []),
    ];
  } finally {
    await bare.close();
  }
}

import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b'], emulator: { pullBytesPerSecond: 2 * 1024 * 1024 } });
  await t.req('POST', '/api/model/sync', { body: {} });
});
afterAll(async () => t.close());

/** One keep-alive request; resolves to [status, ms]. */
function call(agent: Agent, method: string, path: string, body?: unknown): Promise<[number, number]> {
  const url = new URL(path, t.url);
  const payload = body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve([res.statusCode ?? 0, performance.now() - t0]));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('load', () => {
  it('50 concurrent clients mixing reads, usage and switches: no 5xx, no lost record', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let recorded = 0;
    const before = (await t.req('GET', '/api/model/statistics')).body.total_usage as number;
    const until = Date.now() + 4000;
    const client = async (c: number) => {
      for (let i = 0; Date.now() < until; i++) {
        const pick = (c + i) % 10;
        let r: [number, number];
        if (pick < 3) r = await call(agent, 'GET', '/api/model/list');
        else if (pick < 5) r = await call(agent, 'GET', '/api/model/current');
        else if (pick < 6) r = await call(agent, 'GET', '/api/model/statistics');
        else if (pick < 9) {
          r = await call(agent, 'POST', '/api/model/usage', { model: 'gemma3:4b', duration_ms: 100 + i, success: true, photo_id: `load-${c}-${i}` });
          if (r[0] === 200) recorded++;
        } else r = await call(agent, 'POST', '/api/model/switch', { model: i % 2 ? 'gemma3:4b' : 'llama3.1:8b' });
        statuses.set(r[0], (statuses.get(r[0]) ?? 0) + 1);
        latencies.push(r[1]);
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, c) => client(c)));
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(1);
    const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, k]) => n + k, 0);
    const after = (await t.req('GET', '/api/model/statistics')).body.total_usage as number;
    console.log(`[faults] load: ${latencies.length} requests from 50 clients in 4 s (${Math.round(latencies.length / 4)} req/s), p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, 5xx ${fiveXx}, usage recorded ${recorded}, stored ${after - before}`);
    expect(fiveXx).toBe(0);
    expect([...statuses.keys()].every((s) => s === 200)).toBe(true);
    expect(after - before).toBe(recorded);
  });

  it('500 WebSocket clients connected during a download all receive its final event', async () => {
    const N = 500;
    const sockets: WebSocket[] = [];
    const finals: Promise<void>[] = [];
    await Promise.all(
      Array.from({ length: N }, () => new Promise<void>((ready, reject) => {
        const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/ws`);
        sockets.push(ws);
        finals.push(new Promise<void>((done) => ws.on('message', (raw) => {
          if (JSON.parse(String(raw)).type === 'download.completed') done();
        })));
        ws.once('open', () => ready());
        ws.once('error', reject);
      })),
    );
    const t0 = performance.now();
    const r = await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } });
    expect(r.status).toBe(202);
    await Promise.all(finals);
    console.log(`[faults] ${N} WebSocket clients all received download.completed, ${Math.round(performance.now() - t0)} ms after the download started`);
    sockets.forEach((s) => s.close());
  }, 60_000);
});

import { Ollama } from 'ollama';
import WebSocket, { WebSocketServer } from 'ws';
import type { TestDaemon } from '../../test/support/daemon.js';
import { fmt, row } from './measure.js';

const MODEL = 'llama3.1:8b';
const BYTES_PER_SECOND = 2 * 1024 ** 3;

async function directPullMs(url: string): Promise<number> {
  const t0 = performance.now();
  const stream = await new Ollama({ host: url }).pull({ model: MODEL, stream: true });
  for await (const _ of stream) void _;
  return performance.now() - t0;
}

async function daemonPullMs(t: TestDaemon): Promise<{ ms: number; rssGrowth: number }> {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const t0 = performance.now();
  const id = (await t.req('POST', '/api/model/download', { body: { model: MODEL } })).body.job.id as string;
  for (;;) {
    peak = Math.max(peak, process.memoryUsage().rss);
    const job = (await t.req('GET', `/api/model/downloads/${id}`)).body.job;
    if (job.status === 'completed') break;
    if (['failed', 'cancelled', 'interrupted'].includes(job.status)) throw new Error(`bench pull ${job.status}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { ms: performance.now() - t0, rssGrowth: peak - rss0 };
}

/** A 4.9 GB emulated pull through the daemon vs straight through the ollama client, alternated. */
export async function benchPull(t: TestDaemon): Promise<string[]> {
  t.emu.configure({ pullBytesPerSecond: BYTES_PER_SECOND });
  const direct: number[] = [];
  const daemon: number[] = [];
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    direct.push(await directPullMs(t.emu.url));
    t.emu.uninstall(MODEL);
    const d = await daemonPullMs(t);
    daemon.push(d.ms);
    rss = Math.max(rss, d.rssGrowth);
    t.emu.uninstall(MODEL);
    await t.req('POST', '/api/model/sync', { body: {} });
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[1] as number;
  return [
    row(`pull ${MODEL} (4.9 GB emulated at 2 GB/s), wall`, fmt(med(daemon), 'ms'), fmt(med(direct), 'ms'), med(daemon) / med(direct)),
    `  (daemon RSS growth during the pull: ${(rss / 1048576).toFixed(1)} MiB; the daemon's figure includes the final sync with Ollama and job polling every 5 ms)`,
  ];
}

/** Connects n clients and resolves when all have their snapshot. */
async function clients(url: string, n: number, onEvent: (e: { seq: number; at: string; type: string }) => void): Promise<WebSocket[]> {
  return Promise.all(
    Array.from({ length: n }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('error', reject);
      ws.on('message', (raw) => {
        const e = JSON.parse(String(raw)) as { seq: number; at: string; type: string };
        if (e.type === 'snapshot') resolve(ws);
        else onEvent(e);
      });
    })),
  );
}

/**
 * 1,000 progress-sized events to 100 /ws clients, vs a bare `ws` server broadcasting the same
 * payloads: total deliveries per second and the worst publish-to-receipt lag.
 */
export async function benchFanout(t: TestDaemon): Promise<string[]> {
  const N = 100;
  const EVENTS = 1000;
  const job = { id: 'bench', model: MODEL, status: 'downloading', completed_bytes: 1, total_bytes: 2, percent: 50, bytes_per_second: 1, eta_seconds: 1, resumed: false, resumed_bytes: 0, error_code: null, error: null, created_at: '', updated_at: '', finished_at: null };

  const measure = async (url: string, publish: (i: number) => void) => {
    let received = 0;
    let maxLag = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const sockets = await clients(url, N, (e) => {
      maxLag = Math.max(maxLag, Date.now() - Date.parse(e.at));
      if (++received === N * EVENTS) done();
    });
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      publish(i);
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await all;
    const seconds = (performance.now() - t0) / 1000;
    sockets.forEach((s) => s.close());
    return { perSecond: received / seconds, maxLag };
  };

  const ours = await measure(`${t.url.replace(/^http/, 'ws')}/ws`, () => t.daemon.events.publish('download.progress', { job }));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.send(JSON.stringify({ seq: 0, type: 'snapshot', at: new Date().toISOString(), data: {} })));
  let seq = 0;
  const bare = await measure(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, () => {
    const msg = JSON.stringify({ seq: ++seq, type: 'download.progress', at: new Date().toISOString(), data: { job } });
    for (const c of wss.clients) c.send(msg);
  });
  await new Promise((r) => wss.close(r));
  return [
    row(`/ws fan-out to ${N} clients (deliveries/s)`, fmt(ours.perSecond, 'ev/s'), fmt(bare.perSecond, 'ev/s'), ours.perSecond / bare.perSecond),
    row(`/ws fan-out to ${N} clients, max lag`, fmt(ours.maxLag, 'ms'), fmt(bare.maxLag, 'ms'), ours.maxLag / Math.max(bare.maxLag, 1)),
  ];
}

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { TestDaemon } from '../../test/support/daemon.js';
import { fmt, median, row } from './measure.js';

const N = 100;
const EVENTS = 1000;
const ROUNDS = 3;
const job = { id: 'bench', model: 'llama3.1:8b', status: 'downloading', completed_bytes: 1, total_bytes: 2, percent: 50, bytes_per_second: 1, eta_seconds: 1, resumed: false, resumed_bytes: 0, error_code: null, error: null, created_at: '', updated_at: '', finished_at: null };

/** How events are published: a burst (50 a turn of the event loop) or paced (5 every 10 ms: 500 events/s, 50,000 deliveries/s). */
const BURST = { perTurn: 50, gapMs: 0 };
const PACED = { perTurn: 5, gapMs: 10 };

/** Publishes EVENTS events to N clients in a child process; deliveries per second and the worst lag they saw. */
async function measure(url: string, publish: () => void, pace: typeof BURST): Promise<{ perSecond: number; maxLag: number }> {
  const child = fork(fileURLToPath(new URL('./ws-clients.ts', import.meta.url)), [url, String(N), String(EVENTS)], { stdio: 'inherit' });
  const message = (key: 'ready' | 'done') =>
    new Promise<{ received: number; maxLag: number }>((resolve, reject) => {
      child.on('message', (m: Record<string, unknown>) => m[key] && resolve(m as { received: number; maxLag: number }));
      child.once('exit', (code) => reject(new Error(`bench clients exited with ${code}`)));
    });
  const ready = message('ready');
  const done = message('done');
  await ready;
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    publish();
    if (i % pace.perTurn === pace.perTurn - 1) await new Promise((r) => (pace.gapMs ? setTimeout(r, pace.gapMs) : setImmediate(r)));
  }
  const r = await done;
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: r.received / seconds, maxLag: r.maxLag };
}

interface Figures {
  perSecond: number;
  burstLag: number;
  pacedLag: number;
}

/**
 * 1,000 progress-sized events to 100 /ws clients running in another process, vs a bare `ws` server
 * broadcasting the same payloads (one JSON.stringify per event, a send per client), alternated over
 * rounds: deliveries per second of a burst, and the worst publish-to-receipt lag when the events
 * come at 500 a second. A burst's last event waits for the clients to read the 99,999 deliveries
 * before it, so its lag measures the clients; it is printed, not compared.
 */
export async function benchFanout(t: TestDaemon): Promise<string[]> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.send(JSON.stringify({ seq: 0, type: 'snapshot', at: new Date().toISOString(), data: {} })));
  let seq = 0;
  const daemonUrl = `${t.url.replace(/^http/, 'ws')}/ws`;
  const bareUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  const daemonPublish = () => void t.daemon.events.publish('download.progress', { job });
  const barePublish = () => {
    const msg = JSON.stringify({ seq: ++seq, type: 'download.progress', at: new Date().toISOString(), data: { job } });
    for (const c of wss.clients) c.send(msg);
  };
  const figures = async (url: string, publish: () => void): Promise<Figures> => {
    const burst = await measure(url, publish, BURST);
    const paced = await measure(url, publish, PACED);
    return { perSecond: burst.perSecond, burstLag: burst.maxLag, pacedLag: paced.maxLag };
  };
  const ours: Figures[] = [];
  const bare: Figures[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(await figures(daemonUrl, daemonPublish));
      bare.push(await figures(bareUrl, barePublish));
    }
  } finally {
    await new Promise((r) => wss.close(r));
  }
  const med = (xs: Figures[], k: keyof Figures) => median(xs.map((x) => x[k]));
  return [
    row(`/ws fan-out to ${N} clients, burst (deliveries/s)`, fmt(med(ours, 'perSecond'), 'ev/s'), fmt(med(bare, 'perSecond'), 'ev/s'), med(ours, 'perSecond') / med(bare, 'perSecond')),
    row(`/ws fan-out to ${N} clients, 500 ev/s, max lag`, fmt(med(ours, 'pacedLag'), 'ms'), fmt(med(bare, 'pacedLag'), 'ms'), med(ours, 'pacedLag') / Math.max(med(bare, 'pacedLag'), 1)),
    `  (median of ${ROUNDS} alternated rounds, clients in a child process; max lag per round at 500 ev/s: daemon ${ours.map((x) => x.pacedLag).join(' ')} ms, bare ${bare.map((x) => x.pacedLag).join(' ')} ms;`,
    `   at the end of the burst: daemon ${ours.map((x) => x.burstLag).join(' ')} ms, bare ${bare.map((x) => x.burstLag).join(' ')} ms)`,
  ];
}

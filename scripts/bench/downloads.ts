import { Ollama } from 'ollama';
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

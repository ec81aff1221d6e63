import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { buildMessages } from '../../daemon/evaluation/prompt.js';
import { answerSchema, ollamaFormat } from '../../daemon/evaluation/schema.js';
import { DEFAULT_KEYWORDS, EVALUATION_FIELDS } from '../../daemon/schemas/evaluate.js';
import { startTestDaemon, type TestDaemon } from '../../test/support/daemon.js';
import { tinyJpeg } from '../../test/support/images.js';
import { fmt, row } from './measure.js';

const MODEL = 'gemma3:4b';
const LATENCY_MS = 50;
const SPEC = { fields: [...EVALUATION_FIELDS], maxKeywords: DEFAULT_KEYWORDS, language: 'English', temperature: undefined, seed: undefined };

/** The same chat call the daemon makes (messages, schema, options, keep-alive, streamed), straight to Ollama, file read included. */
async function directMs(url: string, path: string): Promise<number> {
  const t0 = performance.now();
  const schema = answerSchema(SPEC);
  const image = readFileSync(path).toString('base64');
  const stream = await new Ollama({ host: url }).chat({
    model: MODEL, messages: buildMessages(SPEC, schema, image), format: ollamaFormat(schema), keep_alive: '30m', options: { num_predict: 1024 }, stream: true,
  });
  let text = '';
  for await (const part of stream) text += part.message.content;
  JSON.parse(text);
  return performance.now() - t0;
}

async function daemonMs(t: TestDaemon, path: string, body: Record<string, unknown> = {}): Promise<number> {
  const t0 = performance.now();
  const r = await t.req('POST', '/api/evaluate', { body: { image_path: path, model: MODEL, ...body } });
  if (r.status !== 200) throw new Error(`bench evaluate: ${r.status} ${r.text}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Batch {
  ms: number;
  failures: number;
  cacheHits: number;
  rssPeak: number;
}

/** A plugin's export: `clients` requests in flight (enough to keep every slot busy), one photo each, until the batch is done. */
async function batch(t: TestDaemon, paths: string[], clients: number): Promise<Batch> {
  let next = 0;
  let failures = 0;
  let cacheHits = 0;
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < paths.length) {
        const i = next++;
        const r = await t.req('POST', '/api/evaluate', { body: { image_path: paths[i], model: MODEL, photo_id: `bench-${i}` } });
        if (r.status !== 200) failures++;
        else if (r.body.cache_hit) cacheHits++;
      }
    }),
  );
  const ms = performance.now() - t0;
  clearInterval(sampler);
  return { ms, failures, cacheHits, rssPeak: Math.max(rssPeak, process.memoryUsage().rss) };
}

async function withDaemon<T>(slots: number, fn: (t: TestDaemon) => Promise<T>): Promise<T> {
  const t = await startTestDaemon({ installed: [MODEL], env: { JUNMAI_EVAL_CONCURRENCY: String(slots) }, emulator: { generateLatencyMs: LATENCY_MS } });
  try {
    await t.req('POST', '/api/model/sync', { body: {} });
    return await fn(t);
  } finally {
    await t.close();
  }
}

const perMinute = (n: number, ms: number) => (n / ms) * 60_000;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

/**
 * POST /api/evaluate against the emulator with a fixed 50 ms model: the daemon's cost per photo
 * over a direct ollama-client call, batch throughput with two Ollama slots vs one, a re-run
 * answered from the cache, and a 1,000-photo batch's per-photo time and memory.
 */
export async function benchEvaluate(t: TestDaemon): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'junmai-bench-eval-'));
  const image = (i: number) => {
    const path = join(dir, `IMG_${i}.jpg`);
    writeFileSync(path, tinyJpeg(i));
    return path;
  };
  const lines: string[] = [];
  t.emu.configure({ generateLatencyMs: LATENCY_MS });
  try {
    // Overhead, alternating so drift hits both alike; cache off so every daemon call reaches the model.
    const probe = image(-1);
    await directMs(t.emu.url, probe);
    await daemonMs(t, probe, { options: { cache: false } });
    const direct: number[] = [];
    const daemon: number[] = [];
    for (let i = 0; i < 30; i++) {
      direct.push(await directMs(t.emu.url, probe));
      daemon.push(await daemonMs(t, probe, { options: { cache: false } }));
    }
    const d = median(daemon);
    const b = median(direct);
    lines.push(row(`one photo, ${LATENCY_MS} ms model (median of 30)`, fmt(d, 'ms'), fmt(b, 'ms'), d / b), `  (daemon overhead per photo: ${(d - b).toFixed(1)} ms — validation, file read and hash, schema check, usage row, cache write, HTTP hop)`);

    const photos200 = Array.from({ length: 200 }, (_, i) => image(i));
    const one = await withDaemon(1, (s) => batch(s, photos200, 2));
    const { two, cached } = await withDaemon(2, async (s) => ({ two: await batch(s, photos200, 4), cached: await batch(s, photos200, 4) }));
    lines.push(
      row('200 photos, 2 Ollama slots (photos/min)', fmt(perMinute(200, two.ms), 'photos/min'), fmt(perMinute(200, one.ms), 'photos/min'), one.ms / two.ms),
      `  (baseline: one slot; ideal ratio 2.00; ${one.failures + two.failures} failures)`,
      row('same 200 again, from the cache (photos/min)', fmt(perMinute(200, cached.ms), 'photos/min'), fmt(perMinute(200, two.ms), 'photos/min'), two.ms / cached.ms),
      `  (baseline: the first run; ${cached.cacheHits}/200 cache hits)`,
    );

    const photos1000 = Array.from({ length: 1000 }, (_, i) => image(1000 + i));
    const rss0 = process.memoryUsage().rss;
    const big = await withDaemon(2, (s) => batch(s, photos1000, 4));
    const rss1 = process.memoryUsage().rss;
    lines.push(
      row('1,000 photos, 2 slots: time per photo', fmt(big.ms / 1000, 'ms'), fmt(two.ms / 200, 'ms'), big.ms / 1000 / (two.ms / 200)),
      `  (baseline: per-photo time of the 200-photo batch; ${big.failures} failures; RSS ${mib(rss0)} before, ${mib(big.rssPeak)} peak, ${mib(rss1)} after — daemon, emulator and client share this process)`,
    );
    return lines;
  } finally {
    t.emu.configure({ generateLatencyMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  }
}

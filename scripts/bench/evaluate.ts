import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ollama } from 'ollama';
import { buildMessages } from '../../daemon/evaluation/prompt.js';
import { answerSchema, ollamaFormat } from '../../daemon/evaluation/schema.js';
import { DEFAULT_KEYWORDS, EVALUATION_FIELDS } from '../../daemon/schemas/evaluate.js';
import { startOllamaEmulator } from '../../test/emulator/index.js';
import { spawnDaemon } from '../../test/support/child-daemon.js';
import { startTestDaemon, type TestDaemon } from '../../test/support/daemon.js';
import { http } from '../../test/support/http.js';
import { paddedJpeg, tinyJpeg } from '../../test/support/images.js';
import { fmt, median, row } from './measure.js';
import { rawConnection, type RawConnection, requestBytes } from './raw-http.js';

const MODEL = 'gemma3:4b';
const LATENCY_MS = 50;
const PHOTO_BYTES = 200 * 1024;
const BIG_BYTES = 25 * 1024 * 1024;
const PAIRS = 100;
const SPEC = { fields: [...EVALUATION_FIELDS], maxKeywords: DEFAULT_KEYWORDS, language: 'English', temperature: undefined, seed: undefined };

/** The same chat call the daemon makes (messages, schema, options, keep-alive, streamed), straight to Ollama as ollama-js is meant to be used, file read included. */
async function directMs(url: string, path: string): Promise<number> {
  const t0 = performance.now();
  const schema = answerSchema(SPEC);
  const image = readFileSync(path).toString('base64');
  const messages = buildMessages(SPEC, schema, Buffer.alloc(0)).map((m) => (m.images ? { ...m, images: [image] } : m));
  const stream = await new Ollama({ host: url }).chat({
    model: MODEL, messages, format: ollamaFormat(schema), keep_alive: '30m', options: { num_ctx: 4096, num_predict: 1024 }, stream: true, think: false,
  });
  let text = '';
  for await (const part of stream) text += part.message.content;
  JSON.parse(text);
  return performance.now() - t0;
}

/** One request's round trip on a keep-alive connection of the bench's raw client (raw-http.ts), as the plugin's native client would make it. */
async function roundTripMs(connection: RawConnection, request: Buffer): Promise<number> {
  const t0 = performance.now();
  const r = await connection.send(request);
  if (r.status !== 200) throw new Error(`bench evaluate: ${r.status} ${r.body.toString()}`);
  return performance.now() - t0;
}


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
export async function benchEvaluate(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'junmai-bench-eval-'));
  const image = (i: number) => {
    const path = join(dir, `IMG_${i}.jpg`);
    writeFileSync(path, tinyJpeg(i));
    return path;
  };
  const lines: string[] = [];
  try {
    lines.push(...(await benchOverhead(dir)));

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
    lines.push(...(await benchBigPhoto(dir)));
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A server in a child process (emulator-process.ts, echo-process.ts): its address, and how to close it. */
async function serverProcess(script: string, args: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, { stdio: 'inherit' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`bench server ${script} exited with ${code}`)));
  });
  return { url, close: async () => void (child.send('close'), await exited) };
}

/** CPU time a process has used so far, every thread, in ms (Linux: schedstat's nanoseconds; elsewhere unknown). */
function processCpuMs(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  return readdirSync(`/proc/${pid}/task`).reduce((ms, tid) => {
    try {
      return ms + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return ms; // a thread that ended meanwhile
    }
  }, 0);
}

/**
 * The daemon's cost per photo over ollama-js called directly, each in its own process as on a
 * photographer's machine: the emulator (a fixed 50 ms model, answering at once) and the daemon
 * (the build, as `npm start` runs it, logging as in production) in child processes, the direct client and the daemon's client here,
 * alternated so drift hits both alike, with the cache off so every call reaches the model.
 */
async function benchOverhead(dir: string): Promise<string[]> {
  const emu = await serverProcess('./emulator-process.ts', [String(LATENCY_MS), ANSWER, MODEL]);
  // As large as the daemon's answer, so the floor carries the same bytes.
  const bare = await serverProcess('./echo-process.ts', ['700']);
  const d = await spawnDaemon({ JUNMAI_DATA_DIR: mkdtempSync(join(dir, 'data-')), OLLAMA_HOST: emu.url, JUNMAI_LOG_LEVEL: 'info' }, 15_000, 'build');
  const connections: RawConnection[] = [];
  try {
    await http(d.url, 'POST', '/api/model/sync', { body: {} });
    const probe = join(dir, 'photo-200k.jpg');
    writeFileSync(probe, paddedJpeg(PHOTO_BYTES, 7));
    const body = JSON.stringify({ image_path: probe, model: MODEL, options: { cache: false } });
    const [toDaemon, toBare] = [new URL(d.url), new URL(bare.url)];
    const [daemonConnection, bareConnection] = [await rawConnection(toDaemon), await rawConnection(toBare)];
    connections.push(daemonConnection, bareConnection);
    const [daemonRequest, bareRequest] = [requestBytes(toDaemon, 'POST', '/api/evaluate', body), requestBytes(toBare, 'POST', '/api/evaluate', body)];
    for (let i = 0; i < 5; i++) {
      await directMs(emu.url, probe);
      await roundTripMs(daemonConnection, daemonRequest);
      await roundTripMs(bareConnection, bareRequest);
    }
    const pid = d.proc.pid as number;
    const direct: number[] = [];
    const daemon: number[] = [];
    const hop: number[] = [];
    let directCpu = 0;
    let daemonCpu = 0;
    const ownCpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const runDirect = async () => {
      const c = ownCpuMs();
      direct.push(await directMs(emu.url, probe));
      directCpu += ownCpuMs() - c;
    };
    const runDaemon = async () => {
      const dc = processCpuMs(pid) ?? 0;
      daemon.push(await roundTripMs(daemonConnection, daemonRequest));
      daemonCpu += (processCpuMs(pid) ?? 0) - dc;
    };
    for (let i = 0; i < PAIRS; i++) {
      // Which goes first alternates: the second comes to an emulator that has just answered, the first to one idle for a photo's time.
      for (const run of i % 2 ? [runDaemon, runDirect] : [runDirect, runDaemon]) await run();
      // The same request to the bare server, after the same pause (an answer's worth) as the daemon's.
      await sleep(LATENCY_MS);
      hop.push(await roundTripMs(bareConnection, bareRequest));
    }
    const pairs = daemon.map((x, i) => x - (direct[i] as number));
    const [dm, bm, overhead, floor] = [median(daemon), median(direct), median(pairs), median(hop)];
    return [
      row(`one 200 KB photo, ${LATENCY_MS} ms model (median of ${PAIRS})`, fmt(dm, 'ms'), fmt(bm, 'ms'), dm / bm),
      row('  daemon overhead a photo (median of pairs)', fmt(overhead, 'ms'), fmt(1, 'ms'), overhead / 1),
      `  (baseline: the 1 ms budget; by medians ${(dm - bm).toFixed(2)} ms, by the fastest of each ${(Math.min(...daemon) - Math.min(...direct)).toFixed(2)} ms;`,
      '   emulator and daemon each in a process of their own, as Ollama and the daemon are on a photographer\'s machine)',
      row('  of which the HTTP round trip alone', fmt(floor, 'ms'), fmt(overhead, 'ms'), floor / overhead),
      `  (a bare node:http server in another process, same request, same pause between photos; both asked by a raw`,
      `   keep-alive client (raw-http.ts), as the plugin's native one, since node's own client adds time of its own after each pause;`,
      `   the daemon's own share: ${(overhead - floor).toFixed(2)} ms — validation, file read and hash, schema check, usage row, serializing the answer)`,
      ...(process.platform === 'linux'
        ? [row('  daemon CPU a photo (mean)', fmt(daemonCpu / PAIRS, 'ms'), fmt(directCpu / PAIRS, 'ms'), daemonCpu / directCpu),
           '  (baseline: the CPU of the direct ollama-js call in this process; the daemon makes that call too)']
        : []),
    ];
  } finally {
    for (const c of connections) c.close();
    d.proc.kill('SIGTERM');
    await d.exited;
    await emu.close();
    await bare.close();
  }
}

/** A valid answer at once: the emulator's own would hash each 33 MB request, time that measures nothing here. */
const ANSWER = JSON.stringify({ rating: 3, flag: 'none', keywords: ['harbor'], caption: 'A harbor at dusk.', title: 'Harbor', reasons: ['even light'] });

/** Resident bytes of a process now (VmRSS) or at its peak since the last reset (VmHWM). */
function resident(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+) kB/.exec(line ?? '')?.[1]) * 1024;
}

/** Resets the kernel's peak to the present size, so the next peak is the one of what follows. */
const resetPeak = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, '5');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A 25 MB photo through a daemon in its own process (one slot): its resident memory's rise while the
 * photo is evaluated, and while it waits behind another photo, against the photo's size.
 */
async function benchBigPhoto(dir: string): Promise<string[]> {
  if (process.platform !== 'linux') return ['  (25 MB photo memory: measured on Linux only, from /proc)'];
  const emu = await startOllamaEmulator({ installed: [MODEL], generateLatencyMs: 10, responder: () => ANSWER });
  const big = join(dir, 'big.jpg');
  const small = join(dir, 'small.jpg');
  writeFileSync(big, paddedJpeg(BIG_BYTES));
  writeFileSync(small, tinyJpeg(1));
  /** A fresh daemon that has evaluated one small photo (its code paths loaded), for one measurement: freed memory it keeps would hide the next. */
  const withDaemon = async (fn: (pid: number, evaluate: (path: string, id: string) => Promise<void>) => Promise<number[]>) => {
    const d = await spawnDaemon({ JUNMAI_DATA_DIR: mkdtempSync(join(dir, 'data-')), OLLAMA_HOST: emu.url, JUNMAI_EVAL_MAX_IMAGE_BYTES: String(BIG_BYTES), JUNMAI_EVAL_CONCURRENCY: '1' });
    const evaluate = async (path: string, id: string) => {
      const r = await http(d.url, 'POST', '/api/evaluate', { body: { image_path: path, photo_id: id, model: MODEL, options: { cache: false } } });
      if (r.status !== 200) throw new Error(`bench evaluate: ${r.status} ${r.text}`);
    };
    try {
      await evaluate(small, 'warm-up');
      await sleep(300);
      return await fn(d.proc.pid as number, evaluate);
    } finally {
      d.proc.kill('SIGKILL');
      await d.exited;
    }
  };
  try {
    const inFlight: number[] = [];
    const queued: number[] = [];
    const queuedPeak: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [rise] = await withDaemon(async (pid, evaluate) => {
        const base = resident(pid, 'VmRSS');
        resetPeak(pid);
        await evaluate(big, 'in-flight');
        return [resident(pid, 'VmHWM') - base];
      });
      inFlight.push(rise as number);
      // Queued: the one slot is held by a slow photo while the big one waits for it.
      const [now, peak] = await withDaemon(async (pid, evaluate) => {
        emu.configure({ generateLatencyMs: 3000 });
        const holding = evaluate(small, 'holding');
        await sleep(300);
        const base = resident(pid, 'VmRSS');
        resetPeak(pid);
        const waiting = evaluate(big, 'queued');
        await sleep(1500);
        const figures = [resident(pid, 'VmRSS') - base, resident(pid, 'VmHWM') - base];
        emu.configure({ generateLatencyMs: 10 });
        await Promise.all([holding, waiting]);
        return figures;
      });
      queued.push(now as number);
      queuedPeak.push(peak as number);
    }
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    return [
      row('25 MB photo in flight: daemon RSS rise', mib(median(inFlight)), mib(BIG_BYTES), median(inFlight) / BIG_BYTES),
      `  (baseline: the photo's size; a fresh daemon in its own process each time, kernel peak (VmHWM); rounds ${inFlight.map(mib).join(', ')})`,
      row('25 MB photo queued behind another: RSS rise', mib(median(queued)), mib(BIG_BYTES), median(queued) / BIG_BYTES),
      `  (rounds ${queued.map(mib).join(', ')}; peak while it was identified and queued: ${queuedPeak.map(mib).join(', ')})`,
    ];
  } finally {
    await emu.close();
  }
}

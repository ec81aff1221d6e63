import Database from 'better-sqlite3';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CurrentResponse, StatisticsResponse } from '../../daemon/schemas/api.js';
import { tinyJpeg } from '../support/images.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

/**
 * Sits between the daemon and the emulator and counts the chat requests Ollama would be working
 * on at once: the limit is about what reaches Ollama, so that is where it is measured.
 */
async function countingProxy(): Promise<{ url: string; target: string; active: number; max: number; reset(): void; close(): Promise<void> }> {
  const state = { target: '', active: 0, max: 0 };
  const server = http.createServer((req, res) => {
    // The daemon syncs once before it listens, before the test has pointed the proxy at the emulator.
    if (!state.target) {
      res.writeHead(503).end();
      return;
    }
    const counted = req.url === '/api/chat';
    if (counted) state.max = Math.max(state.max, ++state.active);
    let done = false;
    const finish = () => {
      if (counted && !done) state.active--;
      done = true;
    };
    const upstream = http.request(`${state.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', finish);
    });
    upstream.on('error', () => {
      finish();
      res.destroy();
    });
    res.on('close', finish);
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get target() { return state.target; },
    set target(v: string) { state.target = v; },
    get active() { return state.active; },
    get max() { return state.max; },
    reset() { state.max = state.active; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'junmai-eval-tp-'));
let seed = 1000;
const jpeg = () => {
  const path = join(dir, `p${++seed}.jpg`);
  writeFileSync(path, tinyJpeg(seed));
  return path;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function daemonBehindProxy(env: Record<string, string>, latencyMs: number) {
  const proxy = await countingProxy();
  const t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.2:1b'], env: { OLLAMA_HOST: proxy.url, ...env }, emulator: { generateLatencyMs: latencyMs } });
  proxy.target = t.emu.url;
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
  return { t, proxy };
}

describe.each([1, 2, 3])('concurrency limit %i', (limit) => {
  let t: TestDaemon;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  beforeAll(async () => {
    ({ t, proxy } = await daemonBehindProxy({ JUNMAI_EVAL_CONCURRENCY: String(limit) }, 120));
  });
  afterAll(async () => {
    await t.close();
    await proxy.close();
  });

  it(`never has more than ${limit} evaluation(s) in Ollama at once, and all 7 finish`, async () => {
    proxy.reset();
    const results = await Promise.all(Array.from({ length: 7 }, () => t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b', fields: ['rating'] } })));
    expect(results.map((r) => r.status)).toEqual(new Array(7).fill(200));
    expect(proxy.max).toBe(limit);
    // The wait shows up as queue time, not as the model being slow.
    const queued = results.filter((r) => r.body.timings.queue_ms > 50).length;
    expect(queued).toBeGreaterThanOrEqual(7 - limit - 1);
  });
});

describe('OLLAMA_NUM_PARALLEL', () => {
  it('sets the limit when JUNMAI_EVAL_CONCURRENCY is absent', async () => {
    const { t, proxy } = await daemonBehindProxy({ OLLAMA_NUM_PARALLEL: '2' }, 100);
    try {
      await Promise.all(Array.from({ length: 5 }, () => t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b', fields: ['rating'] } })));
      expect(proxy.max).toBe(2);
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});

describe('a bounded queue', () => {
  it('refuses beyond the queue with 503 BUSY, records it, and serves the rest', async () => {
    const t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_CONCURRENCY: '1', JUNMAI_EVAL_QUEUE: '2' }, emulator: { generateLatencyMs: 300 } });
    try {
      await t.req('POST', '/api/model/sync', { body: {} });
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b', photo_id: `q${i}` } })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 503, 503, 503]);
      for (const r of results.filter((x) => x.status === 503)) expect(r.body.code).toBe('BUSY');
      const db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true });
      const rows = db.prepare("SELECT success, error_code FROM usage WHERE kind = 'inference' ORDER BY success, error_code").all();
      db.close();
      expect(rows).toEqual([...new Array(3).fill({ success: 0, error_code: 'BUSY' }), ...new Array(3).fill({ success: 1, error_code: null })]);
    } finally {
      await t.close();
    }
  });
});

describe('warm-up on switch', () => {
  let t: TestDaemon;
  let db: Database.Database;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b', 'moondream:1.8b', 'llama3.2:1b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true });
  });
  afterAll(async () => {
    db.close();
    await t.close();
  });
  afterEach(() => t.emu.clearFaults());

  const current = async () => CurrentResponse.parse((await t.req('GET', '/api/model/current')).body);
  const warmups = () => db.prepare("SELECT model, photo_id, success, error_code, load_ms, duration_ms FROM usage WHERE kind = 'warmup' ORDER BY id").all() as Array<Record<string, unknown>>;

  it('says loaded: null with no current model', async () => {
    expect((await current()).loaded).toBeNull();
  });

  it('loads the model in the background after a switch, records a warm-up, and counts no photo', async () => {
    expect(t.emu.isLoaded('gemma3:4b')).toBe(false);
    const statsBefore = (await t.req('GET', '/api/model/statistics')).body.total_usage;
    const r = await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    expect(r.status).toBe(200);
    await vi.waitFor(() => expect(t.emu.isLoaded('gemma3:4b')).toBe(true), { timeout: 5000 });
    await t.daemon.warmup.settled();
    expect((await current())).toMatchObject({ current_model: 'gemma3:4b', loaded: true });

    const load = t.emu.requests.filter((q) => q.path === '/api/generate').at(-1)?.body as Record<string, unknown>;
    expect(load).toMatchObject({ model: 'gemma3:4b', prompt: '', keep_alive: '30m' });
    expect(warmups()).toMatchObject([{ model: 'gemma3:4b', photo_id: null, success: 1, error_code: null }]);
    expect(warmups()[0]?.load_ms).toBeGreaterThanOrEqual(0);

    const stats = StatisticsResponse.parse((await t.req('GET', '/api/model/statistics')).body);
    expect(stats.total_usage).toBe(statsBefore);
    expect(stats.statistics['gemma3:4b']).toMatchObject({ count: 0, successes: 0, warmups: 1, first_used: null, p50_ms: null });
  });

  it('so the first photo after it is not a cold start', async () => {
    const r = await t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), fields: ['rating'] } });
    expect(r.status).toBe(200);
    expect(r.body.timings.load_ms).toBeLessThan(1000);
    const s = StatisticsResponse.parse((await t.req('GET', '/api/model/statistics?model=gemma3:4b')).body).statistics['gemma3:4b'];
    expect(s).toMatchObject({ count: 1, cold_starts: 0, warmups: 1 });
    expect(s?.warm_p50_ms).toBe(s?.p50_ms);
  });

  it('records a failed warm-up without failing the switch', async () => {
    t.emu.fault('generate', { kind: 'status', status: 500, error: 'out of memory', times: 1 });
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'moondream:1.8b' } })).status).toBe(200);
    await vi.waitFor(() => expect(warmups().filter((w) => w.model === 'moondream:1.8b')).toHaveLength(1));
    expect(warmups().at(-1)).toMatchObject({ model: 'moondream:1.8b', success: 0, error_code: 'OLLAMA_ERROR' });
    expect(StatisticsResponse.parse((await t.req('GET', '/api/model/statistics?model=moondream:1.8b')).body).statistics['moondream:1.8b']).toMatchObject({ count: 0, warmups: 1 });
  });

  it('does not load a model that cannot evaluate photos', async () => {
    const generates = t.emu.requests.filter((q) => q.path === '/api/generate').length;
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'llama3.2:1b' } })).status).toBe(200);
    await t.daemon.warmup.settled();
    expect(t.emu.requests.filter((q) => q.path === '/api/generate').length).toBe(generates);
    expect((await current()).loaded).toBe(false);
  });

  it('says loaded: null when Ollama is down', async () => {
    await t.emu.stop();
    try {
      expect((await current())).toMatchObject({ current_model: 'llama3.2:1b', loaded: null });
    } finally {
      await t.emu.start();
    }
  });
});

describe('cold starts in the statistics', () => {
  it('counts a photo that had to load the model as a cold start, and keeps it out of warm_p50_ms', async () => {
    const t = await startTestDaemon({ installed: ['gemma3:4b'] });
    try {
      await t.req('POST', '/api/model/sync', { body: {} });
      const loads: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b', fields: ['rating'] } });
        loads.push(r.body.timings.load_ms);
      }
      // The emulator reports a cold load of gemma3:4b as well over a second, a warm one as ~15 ms.
      expect(loads[0]).toBeGreaterThan(1000);
      expect(loads.slice(1).every((l) => l < 1000)).toBe(true);
      const s = StatisticsResponse.parse((await t.req('GET', '/api/model/statistics?model=gemma3:4b')).body).statistics['gemma3:4b'];
      expect(s).toMatchObject({ count: 4, cold_starts: 1, warmups: 0 });
      expect(s?.warm_p50_ms).not.toBeNull();
      expect(s?.warm_mean_ms).not.toBeNull();
    } finally {
      await t.close();
    }
  });
});

describe('deadlines and stopping', () => {
  it('an Ollama that goes silent answers 504 OLLAMA_TIMEOUT after JUNMAI_EVAL_TIMEOUT_MS, and frees the slot', async () => {
    const t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_TIMEOUT_MS: '1000', JUNMAI_EVAL_CONCURRENCY: '1' } });
    try {
      await t.req('POST', '/api/model/sync', { body: {} });
      t.emu.fault('chat', { kind: 'stall', afterLines: 2, times: 1 });
      const started = Date.now();
      const r = await t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b' } });
      expect(r.status).toBe(504);
      expect(r.body.code).toBe('OLLAMA_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b' } })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('a slow model is not cut off by the deadline while it keeps streaming', async () => {
    const t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_TIMEOUT_MS: '1000' }, emulator: { generateLatencyMs: 2500 } });
    try {
      await t.req('POST', '/api/model/sync', { body: {} });
      const r = await t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b', fields: ['caption', 'title', 'reasons'] } });
      expect(r.status, r.text).toBe(200);
      expect(r.body.timings.daemon_ms).toBeGreaterThan(2000);
    } finally {
      await t.close();
    }
  });

  it('a client that hangs up frees the slot, and its row says CLIENT_CLOSED', async () => {
    const t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_CONCURRENCY: '1' } });
    try {
      await t.req('POST', '/api/model/sync', { body: {} });
      t.emu.fault('chat', { kind: 'hang', times: 1 });
      const body = JSON.stringify({ image_path: jpeg(), model: 'gemma3:4b', photo_id: 'gone' });
      const req = http.request(`${t.url}/api/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
      req.on('error', () => undefined);
      req.end(body);
      await vi.waitFor(() => expect(t.emu.requests.some((q) => q.path === '/api/chat')).toBe(true));
      req.destroy();
      const db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true });
      try {
        await vi.waitFor(() => expect(db.prepare("SELECT photo_id, success, error_code FROM usage WHERE kind = 'inference'").all()).toEqual([{ photo_id: 'gone', success: 0, error_code: 'CLIENT_CLOSED' }]));
      } finally {
        db.close();
      }
      // With one slot, this would wait forever behind the hung call if the slot were not freed.
      expect((await t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b', fields: ['rating'] } })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('stopping the daemon ends evaluations hung in Ollama instead of waiting for them', async () => {
    const t = await startTestDaemon({ installed: ['gemma3:4b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    t.emu.fault('chat', { kind: 'hang' });
    const pending = t.req('POST', '/api/evaluate', { body: { image_path: jpeg(), model: 'gemma3:4b' } }).catch(() => undefined);
    await vi.waitFor(() => expect(t.emu.requests.some((q) => q.path === '/api/chat')).toBe(true));
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await pending;
  });
});

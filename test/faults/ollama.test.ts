import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../daemon/schemas/api.js';
import type { Db } from '../../daemon/store/db.js';
import type { Fault } from '../emulator/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';

let t: TestDaemon;
beforeAll(async () => {
  // Slow enough that the partial layers each case leaves behind never add up to the whole model.
  t = await startTestDaemon({ installed: ['gemma3:4b'], emulator: { pullBytesPerSecond: 256 * 1024 }, stallMs: 1500 });
  await t.req('POST', '/api/model/sync', { body: {} });
});
afterAll(async () => t.close());

async function finalJob(id: string, timeoutMs = 15_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await t.req('GET', `/api/model/downloads/${id}`)).body.job as JobView;
    if (!['queued', 'downloading', 'verifying'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stillServing(): Promise<void> {
  expect((await t.req('GET', '/api/model/list')).status).toBe(200);
  expect((await t.req('GET', '/api/health')).status).toBe(200);
}

describe('Ollama faults during a download: the job ends with a clear code and the daemon keeps serving', () => {
  const cases: [string, Fault, string][] = [
    ['answers 500', { kind: 'status', status: 500, error: 'internal error', times: 1 }, 'OLLAMA_ERROR'],
    ['sends an error line', { kind: 'errorLine', afterLines: 4, error: 'digest mismatch', times: 1 }, 'OLLAMA_ERROR'],
    ['closes the connection mid-stream', { kind: 'cut', afterLines: 4, times: 1 }, 'OLLAMA_UNREACHABLE'],
    ['sends truncated NDJSON', { kind: 'malformed', afterLines: 4, times: 1 }, 'OLLAMA_ERROR'],
    ['ends without success', { kind: 'endWithoutSuccess', afterLines: 4, times: 1 }, 'OLLAMA_ERROR'],
    ['stalls', { kind: 'stall', afterLines: 4, times: 1 }, 'STALLED'],
    ['hangs before answering', { kind: 'hang', times: 1 }, 'STALLED'],
  ];
  it.each(cases)('Ollama %s', async (what, fault, code) => {
    t.emu.fault('pull', fault);
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id as string;
    const t0 = Date.now();
    const job = await finalJob(id);
    expect(job.status).toBe('failed');
    expect(job.error_code).toBe(code);
    expect(job.error).toBeTruthy();
    console.log(`[faults] Ollama ${what}: job failed with ${code} after ${Date.now() - t0} ms — "${job.error}"`);
    await stillServing();
    t.emu.clearFaults();
  });

  it('Ollama killed mid-pull', async () => {
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id as string;
    await new Promise((r) => setTimeout(r, 600));
    await t.emu.stop();
    try {
      const job = await finalJob(id);
      expect(job.status).toBe('failed');
      expect(['OLLAMA_UNREACHABLE', 'STALLED']).toContain(job.error_code);
      console.log(`[faults] Ollama killed mid-pull: job failed with ${job.error_code}`);
      await stillServing();
      const again = await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } });
      expect(again.status).toBe(202);
      const failedAgain = await finalJob(again.body.job.id);
      expect(failedAgain.error_code).toBe('OLLAMA_UNREACHABLE');
    } finally {
      await t.emu.start();
    }
  });

  it('Ollama answering slowly past the timeout', async () => {
    t.emu.fault('tags', { kind: 'delay', ms: 4000, times: 1 });
    const t0 = Date.now();
    const r = await t.req('POST', '/api/model/sync', { body: {} });
    expect(r.status).toBe(504);
    expect(r.body.code).toBe('OLLAMA_TIMEOUT');
    console.log(`[faults] Ollama slow past the timeout: 504 OLLAMA_TIMEOUT after ${Date.now() - t0} ms`);
    await stillServing();
  });

  it('leaves no job downloading', async () => {
    const jobs = (await t.req('GET', '/api/model/downloads?limit=100')).body.jobs as JobView[];
    expect(jobs.filter((j) => ['queued', 'downloading', 'verifying'].includes(j.status))).toEqual([]);
  });
});

describe('Ollama faults during photo evaluation', () => {
  let dir: string;
  let photo: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junmai-faults-eval-'));
    photo = join(dir, 'IMG_0001.jpg');
    writeFileSync(photo, tinyJpeg(1));
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    await t.daemon.warmup.settled();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const evaluate = (id: string) => t.req('POST', '/api/evaluate', { body: { image_path: photo, photo_id: id, options: { cache: false } } });
  const rowsFor = (id: string) =>
    (t.daemon.store as unknown as { db: Db }).db.prepare('SELECT success, error_code FROM usage WHERE photo_id = ?').all(id) as { success: number; error_code: string | null }[];

  const cases: [string, Fault, number, string][] = [
    ['answers 500', { kind: 'status', status: 500, error: 'runner crashed', times: 1 }, 502, 'OLLAMA_ERROR'],
    ['closes the connection mid-answer', { kind: 'cut', afterLines: 2, times: 1 }, 503, 'OLLAMA_UNREACHABLE'],
    ['sends truncated NDJSON', { kind: 'malformed', afterLines: 2, times: 2 }, 502, 'OLLAMA_ERROR'],
  ];
  it.each(cases)('Ollama %s mid-evaluate: a clear code, one failed usage row, and the next photo works', async (what, fault, status, code) => {
    t.emu.fault('chat', fault);
    const id = `fault-${code}-${what.length}`;
    const r = await evaluate(id);
    t.emu.clearFaults();
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(rowsFor(id)).toEqual([{ success: 0, error_code: code }]);
    const next = await evaluate(`${id}-next`);
    expect(next.status).toBe(200);
    console.log(`[faults] Ollama ${what} mid-evaluate: ${status} ${code}, usage row recorded as failed; next photo ${next.status}`);
  });

  it('Ollama killed mid-evaluate', async () => {
    t.emu.configure({ generateLatencyMs: 800 });
    const pending = evaluate('fault-killed');
    await new Promise((r) => setTimeout(r, 200));
    await t.emu.stop();
    try {
      const r = await pending;
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('OLLAMA_UNREACHABLE');
      expect(rowsFor('fault-killed')).toEqual([{ success: 0, error_code: 'OLLAMA_UNREACHABLE' }]);
      await stillServing();
      console.log('[faults] Ollama killed mid-evaluate: 503 OLLAMA_UNREACHABLE, usage row recorded as failed, daemon still serving');
    } finally {
      await t.emu.start();
      t.emu.configure({ generateLatencyMs: 0 });
    }
  });
});

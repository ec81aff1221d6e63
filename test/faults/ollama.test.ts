import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../daemon/schemas/api.js';
import type { Fault } from '../emulator/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'], emulator: { pullBytesPerSecond: 2 * 1024 * 1024 }, stallMs: 1500 });
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
    t.emu.configure({ pullBytesPerSecond: 256 * 1024 });
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
      t.emu.configure({ pullBytesPerSecond: 2 * 1024 * 1024 });
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

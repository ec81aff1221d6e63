import { afterEach, describe, expect, it } from 'vitest';
import { findCatalogEntry } from '../../daemon/catalog/catalog.js';
import { JobView } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

// Names and /api/show as the real Ollama has them: registries with ports, case-sensitive
// registries, arrays withheld from model_info, mllama vision keys in projector_info.

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function waitForJob(d: TestDaemon, id: string, done: (j: JobView) => boolean): Promise<JobView> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = JobView.parse((await d.req('GET', `/api/model/downloads/${id}`)).body.job);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ended = (j: JobView) => ['completed', 'failed', 'cancelled', 'interrupted'].includes(j.status);

describe('model names as Ollama defines them', () => {
  it('pulls with the photographer spelling from a case-sensitive registry, also when resumed', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 512 * 1024 } });
    const spelled = 'hf.co/Team/Tiny-Vision-GGUF:Q4_K_M';
    const r = await t.req('POST', '/api/model/download', { body: { model: spelled } });
    expect(r.status).toBe(202);
    expect(r.body.model).toBe('hf.co/team/tiny-vision-gguf:q4_k_m');
    const first = r.body.job.id as string;
    expect(t.daemon.store.jobs.get(first)).toMatchObject({ model: 'hf.co/team/tiny-vision-gguf:q4_k_m', pull_name: spelled });
    await waitForJob(t, first, (j) => j.completed_bytes > 100_000);
    expect((await t.req('DELETE', `/api/model/downloads/${first}`, { body: {} })).body.job.status).toBe('cancelled');
    const resumed = await t.req('POST', `/api/model/downloads/${first}/resume`, { body: {} });
    const done = await waitForJob(t, resumed.body.job.id, ended);
    expect(done).toMatchObject({ status: 'completed', error_code: null });
    const pulled = t.emu.requests.filter((q) => q.path === '/api/pull').map((q) => (q.body as { name?: string; model?: string }));
    expect(pulled.map((b) => b.model ?? b.name)).toEqual([spelled, spelled]);
    const info = (await t.req('GET', `/api/model/info/${encodeURIComponent('HF.CO/team/tiny-vision-gguf:Q4_K_M')}`)).body;
    expect(info.model).toMatchObject({ name: 'hf.co/team/tiny-vision-gguf:q4_k_m', installed: true, source: 'custom' });
  });

  it('keeps a model whose registry has a port when syncing', async () => {
    t = await startTestDaemon();
    t.emu.install('localhost:5000/team/tiny-vision:1b');
    const r = await t.req('POST', '/api/model/sync', { body: {} });
    expect(r.status).toBe(200);
    expect(r.body.installed).toEqual(['localhost:5000/team/tiny-vision:1b']);
    const info = (await t.req('GET', `/api/model/info/${encodeURIComponent('LocalHost:5000/team/tiny-vision:1b')}`)).body;
    expect(info.model).toMatchObject({ name: 'localhost:5000/team/tiny-vision:1b', vision: true });
  });
});

describe('what /api/show really returns', () => {
  it('reads mllama vision keys from projector_info and its cross-attention layers from the tensors', async () => {
    t = await startTestDaemon({ installed: ['llama3.2-vision:11b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    const stored = t.daemon.store.models.get('llama3.2-vision:11b')?.architecture as Record<string, unknown>;
    const catalog = findCatalogEntry('llama3.2-vision:11b')!.architecture;
    // model_info's cross_attention_layers array arrives as null; the 8 cross_attn_k_proj tensors say it instead.
    expect(stored).toMatchObject({
      architecture: 'mllama', block_count: 40, head_count_kv: 8, cross_attention_layers: 8,
      vision_graph_bytes: catalog.vision_graph_bytes,
    });
  });
});

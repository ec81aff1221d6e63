import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../daemon/store/db.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { seededRandom } from '../../daemon/compare/stats.js';
import { SerialQueue } from '../../daemon/models/serial.js';

let t: TestDaemon;
const MODELS = ['gemma3:4b', 'qwen2.5vl:7b', 'llama3.2:1b'];

beforeAll(async () => {
  // Pulls (and Ollama's check of the files) finish almost at once, so a download started in a round can land in the middle of it.
  t = await startTestDaemon({ installed: MODELS, emulator: { pullBytesPerSecond: 1e12, verifyBytesPerSecond: 1e12 } });
  await t.req('POST', '/api/model/sync', { body: {} });
  await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
});
afterAll(async () => t.close());


const db = () => (t.daemon.store as unknown as { db: Db }).db;
const activeJobsPerModel = () =>
  db().prepare("SELECT model, count(*) AS n FROM download_jobs WHERE status IN ('queued', 'downloading', 'verifying') GROUP BY model HAVING n > 1").all();

function change(rnd: () => number): () => Promise<unknown> {
  const model = MODELS[Math.floor(rnd() * MODELS.length)] as string;
  const which = Math.floor(rnd() * 8);
  // The newest job of the model at the moment the request goes out (a made-up id when there is none: 404).
  const job = () => t.daemon.downloads.list(50).find((j) => j.model === model)?.id ?? '00000000-0000-4000-8000-000000000000';
  switch (which) {
    case 0:
    case 1:
      return () => t.req('POST', '/api/model/switch', { body: { model } });
    case 2:
      return () => t.req('DELETE', '/api/model/delete', { body: { model } });
    case 3:
      return () => t.req('POST', '/api/model/download', { body: { model, force: true } });
    case 4:
      return () => t.req('POST', '/api/model/sync', { body: {} });
    case 5:
      return () => t.req('POST', `/api/model/downloads/${job()}/resume`, { body: {} });
    case 6:
      return () => t.req('DELETE', `/api/model/downloads/${job()}`, { body: {} });
    default:
      return () => t.req('POST', '/api/model/import', { body: { current_model: model, models: { [model]: { usage_count: 3 } } } });
  }
}

async function settled(): Promise<void> {
  for (let i = 0; i < 200 && t.daemon.downloads.list(50).some((j) => ['queued', 'downloading', 'verifying'].includes(j.status)); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('state changes are serialised', () => {
  it('switch, delete, download, resume, cancel, import and sync raced 20 at a time for 30 rounds keep the invariants', async () => {
    const rnd = seededRandom(2026);
    const statuses = new Map<number, number>();
    for (let round = 0; round < 30; round++) {
      const tasks = Array.from({ length: 20 }, () => change(rnd));
      const answers = (await Promise.all(tasks.map((task) => task()))) as { status: number }[];
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      expect(activeJobsPerModel(), `round ${round}: two active jobs for one model`).toEqual([]);
      await settled();
      const current = t.daemon.manager.currentModel();
      expect(current === null || t.emu.isInstalled(current), `round ${round}: the current model ${current} is not in Ollama`).toBe(true);
      // Whatever was deleted, a model that is current is never one Ollama lacks; put the deleted ones back for the next round.
      for (const m of MODELS) if (!t.emu.isInstalled(m)) t.emu.install(m);
      await t.req('POST', '/api/model/sync', { body: {} });
    }
    // Every answer is a success or a refusal with a reason; none is a fault of the daemon.
    expect([...statuses.keys()].every((s) => s < 500), JSON.stringify([...statuses])).toBe(true);
    console.log(`[races] 30 rounds × 20 parallel state changes: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});

describe('the state-change queue', () => {
  it('runs tasks one at a time in order, and a task that throws or rejects does not stop the ones after it', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail?: 'throw' | 'reject') => async () => {
      running++;
      log.push(`${name}:${running}`);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (fail === 'reject') throw new Error(name);
      return name;
    };
    const answers = await Promise.allSettled([
      q.run(task('a')),
      q.run(() => {
        throw new Error('sync');
      }),
      q.run(task('b', 'reject')),
      q.run(task('c')),
    ]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual(['a', 'sync', 'b', 'c']);
    expect(log).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it('a refused switch leaves the queue free for the next change', async () => {
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'not-in-catalog:1b' } })).body.code).toBe('MODEL_NOT_FOUND');
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'llama3.2:1b' } })).body).toMatchObject({ success: true, current_model: 'llama3.2:1b' });
    expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
  });
});

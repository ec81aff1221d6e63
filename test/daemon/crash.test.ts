import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaEmulator } from '../emulator/index.js';
import { spawnDaemon, type ChildDaemon } from '../support/child-daemon.js';
import { http } from '../support/http.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function jobOf(url: string, id: string) {
  return (await http(url, 'GET', `/api/model/downloads/${id}`)).body.job;
}

describe('a daemon killed with SIGKILL mid-download', () => {
  it('comes back with the job interrupted, the model not installed, and one call resumes it', async () => {
    const emu = await startOllamaEmulator({ pullBytesPerSecond: 512 * 1024 });
    const dataDir = mkdtempSync(join(tmpdir(), 'junmai-crash-'));
    cleanup.push(async () => {
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = { JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: emu.url };
    let d: ChildDaemon = await spawnDaemon(env);
    cleanup.push(async () => void d.proc.kill('SIGKILL'));

    const id = (await http(d.url, 'POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id as string;
    const deadline = Date.now() + 10_000;
    while ((await jobOf(d.url, id)).completed_bytes < 300_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    d.proc.kill('SIGKILL');
    await d.exited;

    d = await spawnDaemon({ ...env, JUNMAI_PORT: new URL(d.url).port });
    const job = await jobOf(d.url, id);
    expect(job).toMatchObject({ status: 'interrupted', error_code: 'INTERRUPTED' });
    expect(job.completed_bytes).toBeGreaterThan(0);
    expect(emu.isInstalled('tiny-vision:1b')).toBe(false);
    expect((await http(d.url, 'GET', '/api/model/installed')).body.count).toBe(0);

    const resumed = await http(d.url, 'POST', `/api/model/downloads/${id}/resume`, { body: {} });
    expect(resumed.status).toBe(202);
    let done = resumed.body.job;
    while (!['completed', 'failed'].includes(done.status) && Date.now() < deadline + 20_000) {
      await new Promise((r) => setTimeout(r, 100));
      done = await jobOf(d.url, done.id);
    }
    expect(done).toMatchObject({ status: 'completed', resumed: true });
    expect((await http(d.url, 'GET', '/api/model/info/tiny-vision:1b')).body.model.installed).toBe(true);
  }, 60_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import { DownloadResponse, JobView } from '../../daemon/schemas/api.js';
import type { BusEvent } from '../../daemon/events/bus.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function waitForJob(d: TestDaemon, id: string, done: (j: JobView) => boolean, timeoutMs = 10_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = JobView.parse((await d.req('GET', `/api/model/downloads/${id}`)).body.job);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} at ${job.percent}%`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ended = (j: JobView) => ['completed', 'failed', 'cancelled', 'interrupted'].includes(j.status);

describe('downloads', () => {
  it('answers 202 with a job at once, sums layer progress monotonically to 100 and installs the model', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 8 * 1024 * 1024 } });
    const events: BusEvent[] = [];
    t.daemon.events.subscribe((e) => events.push(e));
    const r = await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } });
    expect(r.status).toBe(202);
    const body = DownloadResponse.parse(r.body);
    expect(['queued', 'downloading']).toContain(body.job.status);
    const again = await t.req('POST', '/api/model/download', { body: { model: 'Tiny-Vision:1B' } });
    expect(again.body.job.id).toBe(body.job.id);
    expect(again.body.message).toMatch(/already/);

    const job = await waitForJob(t, body.job.id, ended);
    // The first 60 ms tick already carries fresh bytes: that is not a resumed download.
    expect(job).toMatchObject({
      status: 'completed', percent: 100, error_code: null, resumed: false, resumed_bytes: 0,
      update_check: false, up_to_date: null, message: 'tiny-vision:1b is downloaded and installed.',
    });
    expect(job.completed_bytes).toBe(job.total_bytes);
    const percents = events.filter((e) => e.type === 'download.progress').map((e) => (e.data.job as JobView).percent);
    expect(percents.length).toBeGreaterThan(1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.some((e) => e.type === 'download.completed')).toBe(true);
    expect(events.some((e) => e.type === 'model.installed' && e.data.model === 'tiny-vision:1b')).toBe(true);
    expect((await t.req('GET', '/api/model/info/tiny-vision:1b')).body.model.installed).toBe(true);
    expect(t.daemon.store.jobs.get(job.id)?.status).toBe('completed');
  });

  it('queues a second model behind the first (concurrency 1) and publishes at most about 4 progress events a second per job', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 1024 * 1024 } });
    const events: BusEvent[] = [];
    t.daemon.events.subscribe((e) => events.push(e));
    const first = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job;
    const second = (await t.req('POST', '/api/model/download', { body: { model: 'moondream:1.8b', force: true } })).body.job;
    expect(first.status).toBe('downloading');
    expect(second.status).toBe('queued');
    expect((await t.req('GET', '/api/model/downloads')).body.jobs.map((j: JobView) => j.status)).toEqual(expect.arrayContaining(['downloading', 'queued']));
    const done = await waitForJob(t, first.id, ended);
    expect(done.status).toBe('completed');
    const started = await waitForJob(t, second.id, (j) => j.status !== 'queued');
    expect(started.status).toBe('downloading');
    await t.req('DELETE', `/api/model/downloads/${second.id}`, { body: {} });

    const progress = events.filter((e) => e.type === 'download.progress' && (e.data.job as JobView).id === first.id).map((e) => Date.parse(e.at));
    const seconds = (progress[progress.length - 1]! - progress[0]!) / 1000;
    expect(seconds).toBeGreaterThan(1);
    // Forced status changes may add one or two on top of the 250 ms throttle.
    expect(progress.length / seconds).toBeLessThan(6);
  });

  it('fails the job with Ollama\'s message on an error line mid-stream and does not mark the model installed', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 4 * 1024 * 1024 } });
    t.emu.fault('pull', { kind: 'errorLine', afterLines: 3, error: 'max retries exceeded: unexpected EOF' });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/max retries exceeded/);
    expect((await t.req('GET', '/api/model/info/tiny-vision:1b')).status).toBe(404);
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(false);
  });

  it('fails a stream that ends without success', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 4 * 1024 * 1024 } });
    t.emu.fault('pull', { kind: 'endWithoutSuccess', afterLines: 4 });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({ status: 'failed', error_code: 'OLLAMA_ERROR' });
  });

  it('fails a stalled stream with STALLED although Ollama keeps writing progress lines, and the job resumes', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 1024 * 1024, pullTickMs: 20 }, stallMs: 400 });
    t.emu.fault('pull', { kind: 'stall', afterLines: 5, times: 1 });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({ status: 'failed', error_code: 'STALLED' });
    expect(job.error).toMatch(/^The download of tiny-vision:1b received no data for \d+ seconds\. Try again; it continues where it stopped\.$/);
    expect(job.completed_bytes).toBeGreaterThan(0);

    const resumed = await t.req('POST', `/api/model/downloads/${id}/resume`, { body: {} });
    const done = await waitForJob(t, resumed.body.job.id, ended);
    expect(done).toMatchObject({ status: 'completed', resumed: true });
    // What the stalled job had, plus whatever arrived before Ollama's first tick of the resumed one.
    expect(done.resumed_bytes).toBeGreaterThanOrEqual(job.completed_bytes);
    expect(done.resumed_bytes).toBeLessThan(1_800_000);
  });

  it('does not count Ollama\'s silent verification as a stall: the deadline grows with the bytes to hash', async () => {
    // About 2 MB hashed at 1.6 MB/s: ~1.25 s of silence against a 400 ms stall limit; the daemon allows 0.4 + 2 / 0.5 s.
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 8 * 1024 * 1024, verifyBytesPerSecond: 1.6e6 }, stallMs: 400, verifyBytesPerSecond: 0.5e6 });
    const events: BusEvent[] = [];
    t.daemon.events.subscribe((e) => events.push(e));
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({ status: 'completed', error_code: null, percent: 100 });
    const statuses = events.filter((e) => e.type.startsWith('download.')).map((e) => (e.data.job as JobView).status);
    expect(statuses).toContain('verifying');
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(true);
  });

  it('completes, not fails, a job whose stream is lost while Ollama verifies, once Ollama lists the model', async () => {
    // Every layer arrives within one (long) tick, so the lines are: "pulling manifest", "verifying sha256 digest", then the cut.
    t = await startTestDaemon({ emulator: { pullTickMs: 60_000, verifyBytesPerSecond: 4e6 }, stallMs: 5000, verifyPollMs: 50 });
    t.emu.fault('pull', { kind: 'cut', afterLines: 2, times: 1 });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({ status: 'completed', error_code: null, error: null });
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(true);
    expect((await t.req('GET', '/api/model/info/tiny-vision:1b')).body.model.installed).toBe(true);
  });

  it('fails at once, not at the verification deadline, when Ollama dies while verifying', async () => {
    // Ollama would hash for ~4 s and the daemon would allow ~20 s; Ollama is stopped as soon as it verifies.
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 8 * 1024 * 1024, verifyBytesPerSecond: 0.5e6 }, stallMs: 400, verifyBytesPerSecond: 0.1e6, verifyPollMs: 50 });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    await waitForJob(t, id, (j) => j.status === 'verifying');
    await t.emu.stop();
    try {
      const job = await waitForJob(t, id, ended, 3000);
      expect(job).toMatchObject({ status: 'failed', error_code: 'OLLAMA_UNREACHABLE' });
      expect(t.emu.isInstalled('tiny-vision:1b')).toBe(false);
    } finally {
      await t.emu.start();
    }
  });

  it('calls a download of an installed model an update check, already up to date, and never resumed', async () => {
    t = await startTestDaemon({ installed: ['tiny-vision:1b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    const r = await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } });
    expect(r.body.message).toBe("tiny-vision:1b is installed; checking Ollama's library for a newer version.");
    expect(r.body.job).toMatchObject({ update_check: true, up_to_date: null, message: null });
    const job = await waitForJob(t, r.body.job.id, ended);
    expect(job).toMatchObject({
      status: 'completed', update_check: true, up_to_date: true, resumed: false, resumed_bytes: 0,
      message: 'tiny-vision:1b is already up to date; nothing new was downloaded.',
    });
    const row = t.daemon.store.jobs.get(job.id)!;
    expect([row.update_check, row.up_to_date]).toEqual([true, true]);
  });

  it('says an update check that found a newer version updated the model', async () => {
    t = await startTestDaemon({ installed: ['tiny-vision:1b'], emulator: { pullBytesPerSecond: 8 * 1024 * 1024 } });
    await t.req('POST', '/api/model/sync', { body: {} });
    t.emu.publishUpdate('tiny-vision:1b');
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({
      status: 'completed', update_check: true, up_to_date: false, resumed: false, resumed_bytes: 0,
      message: 'tiny-vision:1b was updated to the newest version.',
    });
    const tags = (await (await fetch(`${t.emu.url}/api/tags`)).json()) as { models: { digest: string }[] };
    expect(t.daemon.store.models.get('tiny-vision:1b')?.digest).toBe(tags.models[0]!.digest);
  });

  it('does not call layers shared with an installed model resumed bytes', async () => {
    // llava:7b ships the same template blob as tiny-vision:1b, so that layer arrives complete at once.
    t = await startTestDaemon({ installed: ['llava:7b'], emulator: { pullBytesPerSecond: 8 * 1024 * 1024 } });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({ status: 'completed', resumed: false, resumed_bytes: 0, update_check: false });
  });

  it('fails a model that needs a newer Ollama with OLLAMA_OUTDATED and a sentence saying to update Ollama', async () => {
    t = await startTestDaemon({ emulator: { version: '0.5.1', pullRequires: { 'tiny-vision:1b': '0.12.0' } } });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({
      status: 'failed', error_code: 'OLLAMA_OUTDATED',
      error: 'tiny-vision:1b needs a newer version of Ollama than the one on this computer. Update Ollama from https://ollama.com/download, then download tiny-vision:1b again.',
    });

    // The registry's other wording (ollama/ollama#14059), for models ahead of the newest release.
    t.emu.fault('pull', {
      kind: 'errorLine', afterLines: 1, times: 1,
      error: 'pull model manifest: 412: \nThe model you are attempting to pull requires a newer version of Ollama that may be in pre-release.\n\nPlease see https://github.com/ollama/ollama/releases for more details.\n',
    });
    const pre = await waitForJob(t, (await t.req('POST', '/api/model/download', { body: { model: 'moondream:1.8b', force: true } })).body.job.id, ended);
    expect(pre).toMatchObject({
      status: 'failed', error_code: 'OLLAMA_OUTDATED',
      error: 'moondream:1.8b needs a newer version of Ollama than the one on this computer. Update Ollama from https://ollama.com/download (it may need a pre-release; see https://github.com/ollama/ollama/releases), then download moondream:1.8b again.',
    });
  });

  it('cancels one job mid-stream, then a new download resumes from the kept layers and says so', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 1024 * 1024 } });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    await waitForJob(t, id, (j) => j.completed_bytes > 200_000);
    const c = await t.req('DELETE', `/api/model/downloads/${id}`, { body: {} });
    expect(c.status).toBe(200);
    expect(c.body.job.status).toBe('cancelled');
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(false);

    const resumed = await t.req('POST', `/api/model/downloads/${id}/resume`, { body: {} });
    expect(resumed.status).toBe(202);
    expect(resumed.body.job.id).not.toBe(id);
    const job = await waitForJob(t, resumed.body.job.id, ended);
    expect(job.status).toBe('completed');
    expect(job.resumed).toBe(true);
    expect(job.resumed_bytes).toBeGreaterThan(100_000);
  });

  it('refuses to delete a model while it downloads, lists jobs active first, and 404s unknown jobs', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'], emulator: { pullBytesPerSecond: 256 * 1024 } });
    await t.req('POST', '/api/model/sync', { body: {} });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    const del = await t.req('DELETE', '/api/model/delete', { body: { model: 'tiny-vision:1b' } });
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('MODEL_DOWNLOADING');
    const list = (await t.req('GET', '/api/model/downloads')).body;
    expect(list.jobs[0].id).toBe(id);
    expect((await t.req('GET', '/api/model/downloads/nope')).status).toBe(404);
    expect((await t.req('POST', '/api/model/download', { body: { model: '../x' } })).body.code).toBe('INVALID_MODEL_NAME');
    await t.req('DELETE', `/api/model/downloads/${id}`, { body: {} });
  });

  it('fails a download of a name Ollama\'s library does not have with MODEL_NOT_FOUND', async () => {
    t = await startTestDaemon();
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'no-such-model:3b' } })).body.job.id;
    const job = await waitForJob(t, id, ended);
    expect(job).toMatchObject({ status: 'failed', error_code: 'MODEL_NOT_FOUND' });
  });

  it('marks jobs running at shutdown interrupted, and they resume after restart', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 512 * 1024 } });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    await waitForJob(t, id, (j) => j.completed_bytes > 100_000);
    await t.restart();
    const job = JobView.parse((await t.req('GET', `/api/model/downloads/${id}`)).body.job);
    expect(job.status).toBe('interrupted');
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(false);
    const resumed = await t.req('POST', `/api/model/downloads/${id}/resume`, { body: {} });
    const done = await waitForJob(t, resumed.body.job.id, ended);
    expect(done).toMatchObject({ status: 'completed', resumed: true });
  });
});

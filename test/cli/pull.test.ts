import { afterEach, describe, expect, it } from 'vitest';
import { InfoResponse, JobListResponse } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { cli, startCli } from './cli.js';

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('junmai pull', () => {
  it('shows progress from the daemon\'s events, exits 0, and the model is installed', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 1.5 * 1024 * 1024 } });
    const r = await cli(['--url', t.url, 'pull', 'tiny-vision:1b']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Downloading tiny-vision:1b\. \(job [0-9a-f-]{36}\)/);
    // Not a TTY: plain lines, about every 5 %, never a carriage return.
    const progress = r.stdout.split('\n').filter((l) => /^tiny-vision:1b\s+\d+%/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.some((l) => /\s([1-9]\d)%\s+\d+\.\d\/\d+\.\d MB\s+\d+\.\d MB\/s\s+ETA \d+s/.test(l))).toBe(true);
    const percents = progress.map((l) => Number(/(\d+)%/.exec(l)?.[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(r.stdout).not.toContain('\r');
    expect(r.stdout).toMatch(/✓ tiny-vision:1b is downloaded and installed \(2\.0 MB in \d+s\)/);

    const info = await t.req('GET', '/api/model/info/tiny-vision:1b');
    expect(info.status).toBe(200);
    expect(InfoResponse.parse(info.body).model.installed).toBe(true);

    const rm = await cli(['--url', t.url, 'rm', 'tiny-vision:1b']);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toMatch(/Deleted tiny-vision:1b/);
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(false);
  });

  it('says a model that is already installed and unchanged is up to date, not downloaded', async () => {
    t = await startTestDaemon({ installed: ['tiny-vision:1b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    // Without --update the CLI answers "already installed" itself; --update asks the daemon to check.
    const r = await cli(['--url', t.url, 'pull', 'tiny-vision:1b', '--update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tiny-vision:1b is installed; checking Ollama's library for a newer version\. \(job [0-9a-f-]{36}\)/);
    expect(r.stdout).toContain('✓ tiny-vision:1b is already up to date; nothing new was downloaded.');
    expect(r.stdout).not.toContain('downloaded and installed');
  });

  it('exits 4 with Ollama\'s message when the download fails', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 2 * 1024 * 1024 } });
    t.emu.fault('pull', { kind: 'errorLine', afterLines: 3, error: 'boom' });
    const r = await cli(['--url', t.url, 'pull', 'tiny-vision:1b']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/the download of tiny-vision:1b failed: .*boom/);
    expect((await t.req('GET', '/api/model/info/tiny-vision:1b')).status).toBe(404);
  });

  it('on SIGINT without a TTY leaves the job running and exits 130; `downloads` lists it and `cancel` stops it', async () => {
    // The emulator's bytes follow the wall clock (as a network does), so under load the four CLI runs
    // below must fit in the download: 64 KiB/s gives them half a minute.
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 64 * 1024 } });
    const p = startCli(['--url', t.url, 'pull', 'tiny-vision:1b']);
    await p.waitForOutput(/tiny-vision:1b\s+[1-9]\d*%/);
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Left the download of tiny-vision:1b running in the daemon .*junmai downloads.*junmai cancel [0-9a-f-]{36}/);

    const jobs = JobListResponse.parse((await t.req('GET', '/api/model/downloads')).body).jobs;
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.status).toBe('downloading');
    expect(r.stderr).toContain(job.id);

    const [list, listJson] = await Promise.all([cli(['--url', t.url, 'downloads']), cli(['--url', t.url, 'downloads', '--json'])]);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+MODEL\s+STATUS\s+PROGRESS\s+SIZE\s+SPEED\s+ETA/);
    expect(list.stdout).toMatch(new RegExp(`${job.id}\\s+tiny-vision:1b\\s+downloading\\s+\\d+%`));
    expect(JobListResponse.parse(JSON.parse(listJson.stdout)).jobs[0]?.id).toBe(job.id);

    const cancel = await cli(['--url', t.url, 'cancel', job.id]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/Cancelled the download of tiny-vision:1b/);
    expect((await t.req('GET', `/api/model/downloads/${job.id}`)).body.job.status).toBe('cancelled');

    const unknown = await cli(['--url', t.url, 'cancel', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/There is no download with that id\. \(JOB_NOT_FOUND\)/);
  });

  it('exits 4 when someone else cancels the download, and --json prints the job as the API has it', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 64 * 1024 } });
    const p = startCli(['--url', t.url, '--json', 'pull', 'tiny-vision:1b']);
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      id = JobListResponse.parse((await t.req('GET', '/api/model/downloads')).body).jobs[0]?.id;
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    await t.req('DELETE', `/api/model/downloads/${id}`, { body: {} });
    const r = await p.done;
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ success: true, job: { id, status: 'cancelled' } });
    expect(r.stderr).toMatch(/was cancelled/);
  });

  it('keeps following the job by polling when the event socket drops', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 1024 * 1024 } });
    const p = startCli(['--url', t.url, 'pull', 'tiny-vision:1b']);
    p.child.stdin.end();
    await p.waitForOutput(/tiny-vision:1b\s+[1-9]\d*%/);
    const sockets = [...t.daemon.app.websocketServer.clients];
    expect(sockets.length).toBeGreaterThan(0);
    for (const ws of sockets) ws.terminate();
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ tiny-vision:1b is downloaded and installed/);
    expect(r.stdout).toMatch(/tiny-vision:1b\s+100%/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobListResponse, ListResponse, type ModelView } from '../../daemon/schemas/api.js';
import { EvaluateResponse } from '../../daemon/schemas/evaluate.js';
import { fixedHardware, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';
import { cli, startCli, startTerminal } from './cli.js';

/** What a terminal shows once carriage returns and escape sequences have done their work, roughly: the text. */
// eslint-disable-next-line no-control-regex
const screenText = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'junmai-firsthour-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('one size unit per kind, and what fits here', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'], env: { OLLAMA_MODELS: tmp } });
    await t.req('POST', '/api/model/sync', { body: {} });
  });
  afterAll(async () => t?.close());

  it('list shows sizes in GB of 10^9 bytes, whether each model fits this computer, and whether it sees', async () => {
    const [table, json] = await Promise.all([cli(['--url', t.url, 'list']), cli(['--url', t.url, 'list', '--json'])]);
    expect(table.code).toBe(0);
    const models = ListResponse.parse(JSON.parse(json.stdout)).models;
    const row = (name: string) => table.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    const byName = (name: string) => models.find((m) => m.name === name) as ModelView;
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+PURPOSE\s+SIZE\s+MIN VRAM\s+FITS HERE\s+VISION\s+INSTALLED\s+CURRENT\s+USES$/);
    // The fixed test machine: 8 GB GPU, 24 GB for offload.
    const gemma = byName('gemma3:4b');
    expect(gemma.fit).toBe('fits_gpu');
    expect(row('gemma3:4b')).toMatch(new RegExp(`^gemma3:4b\\s+balanced\\s+${((gemma.size_bytes as number) / 1e9).toFixed(1)} GB\\s+\\d+\\.\\d GB\\s+fits\\s+✓\\s+✓\\s+0$`));
    expect(byName('mixtral:8x7b').fit).toBe('fits_with_offload');
    expect(row('mixtral:8x7b')).toMatch(/\s+with offload\s+/);
    expect(byName('llama3.1:70b').fit).toBe('does_not_fit');
    expect(row('llama3.1:70b')).toMatch(/\s+won't fit\s+/);
    // A model that cannot see has no ✓ in VISION.
    expect(byName('llama3.2:1b').vision).toBe(false);
    expect(row('llama3.2:1b')).toMatch(/\s+fits\s+0$/);
  });

  it('info says whether the model fits and sees; hardware shows memory in GiB and free disk where Ollama keeps models', async () => {
    const [info, hw] = await Promise.all([cli(['--url', t.url, 'info', 'gemma3:4b']), cli(['--url', t.url, 'hardware'])]);
    expect(info.stdout).toMatch(/^fits here:\s+yes, in GPU memory$/m);
    expect(info.stdout).toMatch(/^sees photos:\s+yes$/m);
    expect(hw.code).toBe(0);
    expect(hw.stdout).toMatch(/^RAM:\s+32\.00 GB \(28\.00 GB available\)$/m);
    expect(hw.stdout).toMatch(new RegExp(`^models disk:\\s+\\d+\\.\\d\\d GB free in ${tmp}$`, 'm'));
  });
});

describe('pull, resume and cancel do what the messages say', () => {
  let t: TestDaemon | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('pull --force downloads a model refused as WONT_FIT, which the sentence tells people to do', async () => {
    // A machine with no GPU and 1 GB to give: not even the smallest catalog model runs here.
    t = await startTestDaemon({ hardware: fixedHardware(0, 1) });
    const refused = await cli(['--url', t.url, 'pull', 'llama3.2:1b']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/llama3\.2:1b needs about .* To download it anyway, send "force": true\. \(WONT_FIT\)\n$/);
    const forced = await cli(['--url', t.url, 'pull', 'llama3.2:1b', '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const job = JobListResponse.parse((await t.req('GET', '/api/model/downloads')).body).jobs[0];
    // Download sizes in GB of 10^9 bytes, as `list` and Ollama show them.
    expect(forced.stdout).toContain(`✓ llama3.2:1b is downloaded and installed (${((job?.total_bytes as number) / 1e9).toFixed(2)} GB in `);
    expect(forced.stdout).toMatch(/Make it the current model with `junmai switch llama3\.2:1b`/);
    expect(t.emu.isInstalled('llama3.2:1b')).toBe(true);
  }, 60_000);

  it('pulling an installed model answers "already installed" without a job, and --update pulls it again', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b', 'tiny-vision:1b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    await t.req('POST', '/api/model/switch', { body: { model: 'tiny-vision:1b' } });
    const [current, other] = await Promise.all([cli(['--url', t.url, 'pull', 'tiny-vision:1b']), cli(['--url', t.url, 'pull', 'gemma3:4b'])]);
    expect(current.code).toBe(0);
    expect(current.stdout).toBe('✓ tiny-vision:1b is already installed and is the current model. `junmai pull tiny-vision:1b --update` asks Ollama for a newer version.\n');
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/^✓ gemma3:4b is already installed\. /);
    expect(other.stdout).toMatch(/Make it the current model with `junmai switch gemma3:4b`/);
    expect(JobListResponse.parse((await t.req('GET', '/api/model/downloads')).body).jobs).toEqual([]);

    // --update asks Ollama's library; it has a newer version, so this is a real download.
    t.emu.publishUpdate('tiny-vision:1b');
    const update = await cli(['--url', t.url, 'pull', 'tiny-vision:1b', '--update']);
    expect(update.code).toBe(0);
    expect(update.stdout).toMatch(/✓ tiny-vision:1b is downloaded and installed/);
    // It is the current model already: no offer to switch to it.
    expect(update.stdout).toMatch(/tiny-vision:1b is the current model, so photos use the new download\./);
    expect(update.stdout).not.toMatch(/junmai switch/);
    expect(JobListResponse.parse((await t.req('GET', '/api/model/downloads')).body).jobs).toHaveLength(1);
  }, 60_000);

  it('cancel and resume take the start of a job id; cancelling twice says it was already cancelled', async () => {
    t = await startTestDaemon({ emulator: { pullBytesPerSecond: 128 * 1024 } });
    const p = startCli(['--url', t.url, 'pull', 'tiny-vision:1b']);
    p.child.stdin.end();
    await p.waitForOutput(/tiny-vision:1b\s+[1-9]\d*%/, 30_000);
    const id = JobListResponse.parse((await t.req('GET', '/api/model/downloads')).body).jobs[0]?.id as string;
    const prefix = id.slice(0, 8);

    const first = await cli(['--url', t.url, 'cancel', prefix]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('✓ Cancelled the download of tiny-vision:1b.\n');
    expect((await p.done).code).toBe(4);
    const again = await cli(['--url', t.url, 'cancel', prefix]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('The download of tiny-vision:1b was already cancelled.\n');

    // Ollama reports a layer only on its 60 ms ticks: at this speed the rest of the part-way layer
    // takes many ticks, so the daemon sees it resume from the bytes on disk.
    t.emu.configure({ pullBytesPerSecond: 1024 * 1024 });
    const resumed = await cli(['--url', t.url, 'resume', prefix]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Resuming the download of tiny-vision:1b\. \(job [0-9a-f-]{36}\)/);
    expect(resumed.stdout).toMatch(/✓ tiny-vision:1b is downloaded and installed \(2\.0 MB in \d+s, resumed\)/);
    expect(t.emu.isInstalled('tiny-vision:1b')).toBe(true);

    const unknown = await cli(['--url', t.url, 'cancel', 'zz']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('junmai: There is no download whose id starts with "zz". `junmai downloads` lists them.\n');
  }, 60_000);
});

describe('a job id prefix that names no job or several', () => {
  let t: TestDaemon;
  const job = (id: string, model: string, status: 'cancelled' | 'failed') => ({
    id, model, pull_name: null, status, completed_bytes: 0, total_bytes: null, resumed_bytes: 0, update_check: false, up_to_date: null,
    error_code: status === 'failed' ? 'STALLED' : null, error_message: null,
    created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:00.000Z',
  });
  beforeAll(async () => {
    t = await startTestDaemon();
    t.daemon.store.jobs.insert(job('abcd0000-0000-4000-8000-000000000001', 'gemma3:4b', 'cancelled'));
    t.daemon.store.jobs.insert(job('abcd1111-0000-4000-8000-000000000002', 'llama3.2:1b', 'failed'));
  });
  afterAll(async () => t?.close());

  it('refuses a prefix of several ids with exit 2 and lists them; a longer prefix picks one', async () => {
    const [many, resumeMany, one, none] = await Promise.all([
      cli(['--url', t.url, 'cancel', 'abcd']),
      cli(['--url', t.url, 'resume', 'ABCD']),
      cli(['--url', t.url, 'cancel', 'ABCD1']),
      cli(['--url', t.url, 'resume', 'abce', '--json']),
    ]);
    const sentence = '"ABCD" is the start of 2 downloads\' ids (abcd1111-0000-4000-8000-000000000002, abcd0000-0000-4000-8000-000000000001); give more of it.';
    expect(many.code).toBe(2);
    expect(many.stderr).toBe(`junmai: ${sentence.replace('ABCD', 'abcd')}\nRun \`junmai help\` for the commands and their options.\n`);
    expect(resumeMany.code).toBe(2);
    expect(resumeMany.stderr).toContain(sentence);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('The download of llama3.2:1b had already ended: failed.\n');
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toEqual({ success: false, error: 'There is no download whose id starts with "abce". `junmai downloads` lists them.', code: 'JOB_NOT_FOUND' });
  }, 60_000);
});

describe('names: info like rm, and short names', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'] });
  });
  afterAll(async () => t?.close());

  it('info ../../x answers INVALID_MODEL_NAME exactly as rm does, and gemma3 suggests the catalog tags', async () => {
    const [info, rm, infoJson, short] = await Promise.all([
      cli(['--url', t.url, 'info', '../../x']),
      cli(['--url', t.url, 'rm', '../../x']),
      cli(['--url', t.url, 'info', '../../x', '--json']),
      cli(['--url', t.url, 'info', 'gemma3']),
    ]);
    expect(info.code).toBe(1);
    // Ollama's name grammar: ".." is not a namespace (the part before the model's "/").
    expect(info.stderr).toBe('junmai: That is not a valid model name: the part before "/" must start with a letter, digit or "_" and hold only letters, digits, "-" and "_". (INVALID_MODEL_NAME)\n');
    expect(rm.code).toBe(1);
    expect(rm.stderr).toBe(info.stderr);
    expect(JSON.parse(infoJson.stdout)).toEqual({ success: false, error: 'That is not a valid model name: the part before "/" must start with a letter, digit or "_" and hold only letters, digits, "-" and "_".', code: 'INVALID_MODEL_NAME' });
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(`junmai: "gemma3:latest" is neither in Junmai's catalog nor installed in Ollama. Junmai's catalog has gemma3:4b, gemma3:12b, gemma3:27b. (MODEL_NOT_FOUND)\n`);
  }, 60_000);
});

describe('rm asks in a terminal', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.2:1b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
  });
  afterAll(async () => t?.close());

  it('keeps the model on "n" or Enter, deletes it on "y", and --yes does not ask', async () => {
    const no = startTerminal(['--url', t.url, 'rm', 'gemma3:4b']);
    await no.waitForOutput(/Delete gemma3:4b from Ollama\? .*\[y\/N\] /);
    no.child.stdin.write('n\r');
    const kept = await no.done;
    expect(kept.code).toBe(0);
    expect(screenText(kept.stdout)).toMatch(/Kept gemma3:4b\./);
    expect(t.emu.isInstalled('gemma3:4b')).toBe(true);

    const yes = startTerminal(['--url', t.url, 'rm', 'gemma3:4b']);
    await yes.waitForOutput(/\[y\/N\] /);
    yes.child.stdin.write('y\r');
    const deleted = await yes.done;
    expect(deleted.code).toBe(0);
    expect(screenText(deleted.stdout)).toMatch(/✓ Deleted gemma3:4b/);
    expect(t.emu.isInstalled('gemma3:4b')).toBe(false);

    const unasked = await startTerminal(['--url', t.url, 'rm', 'llama3.2:1b', '--yes']).done;
    expect(unasked.code).toBe(0);
    expect(screenText(unasked.stdout)).not.toMatch(/\[y\/N\]/);
    expect(t.emu.isInstalled('llama3.2:1b')).toBe(false);
  }, 60_000);
});

describe('junmai evaluate', () => {
  let t: TestDaemon;
  const ANSWER = {
    rating: 4, flag: 'pick', keywords: ['harbour', 'boats', 'dusk'], caption: 'Fishing boats moored in a harbour at dusk.',
    title: 'Harbour at dusk', reasons: ['Sharp, well exposed', 'Calm composition'],
  };
  const photo = (name: string, seed: number) => {
    const path = join(tmp, name);
    writeFileSync(path, tinyJpeg(seed));
    return path;
  };
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'], emulator: { responder: () => JSON.stringify(ANSWER) } });
    await t.req('POST', '/api/model/sync', { body: {} });
  });
  afterAll(async () => t?.close());

  it('without a current model: the API\'s sentence, exit 1', async () => {
    const r = await cli(['--url', t.url, 'evaluate', photo('first.jpg', 1)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\(NO_CURRENT_MODEL\)\n$/);
    expect(r.stdout).toBe('');
  });

  it('prints rating, flag, keywords, caption and timings for one photo, and --json is the API body', async () => {
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    await t.daemon.warmup.settled();
    const path = photo('harbour.jpg', 2);
    const human = await cli(['--url', t.url, 'evaluate', path]);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      path,
      '  rating    ★★★★☆ (4)',
      '  flag      pick',
      '  title     Harbour at dusk',
      '  caption   Fishing boats moored in a harbour at dusk.',
      '  keywords  harbour, boats, dusk',
      '  reasons   - Sharp, well exposed',
      '            - Calm composition',
    ]);
    expect(lines[8]).toMatch(/^ {2}time {6}\d+ ms with gemma3:4b: /);
    expect(lines[8]).toMatch(/answering \d+ ms \(\d+ tokens\)/);

    // The same photo again comes from the cache; --json prints the API's body as it is.
    const json = await cli(['--url', t.url, 'evaluate', path, '--json']);
    expect(json.code).toBe(0);
    const body = EvaluateResponse.parse(JSON.parse(json.stdout));
    expect(body).toMatchObject({ model: 'gemma3:4b', cache_hit: true, result: ANSWER });
  });

  it('refuses a photo in the API\'s words and goes on with the next; a bad option is a sentence naming the field', async () => {
    const good = photo('good.jpg', 3);
    const missing = join(tmp, 'missing.jpg');
    const r = await cli(['--url', t.url, 'evaluate', missing, good, '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { success: boolean; count: number; failed: number; results: Array<{ image_path: string; success: boolean; code?: string }> };
    expect(doc).toMatchObject({ success: false, count: 2, failed: 1, skipped: 0 });
    expect(doc.results.map((x) => [x.image_path, x.success, x.code])).toEqual([[missing, false, 'IMAGE_NOT_FOUND'], [good, true, undefined]]);
    expect(r.stderr).toMatch(new RegExp(`${missing}\\n {2}.+ \\(IMAGE_NOT_FOUND\\)\\n`));

    const lang = await cli(['--url', t.url, 'evaluate', good, '--language', 'x', '--no-cache']);
    expect(lang.code).toBe(1);
    expect(lang.stderr).toMatch(/ {2}options\.language must be at least 2 characters long\. \(INVALID_REQUEST\)\n/);
  });

  it('a folder is refused in the API\'s words, and an empty PHOTO before any request', async () => {
    const [folder, empty] = await Promise.all([cli(['--url', t.url, 'evaluate', tmp]), cli(['--url', t.url, 'evaluate', ''])]);
    expect(folder.code).toBe(1);
    expect(folder.stdout).toBe('');
    expect(folder.stderr).toBe(`${tmp}\n  That path is a folder: it is not a JPEG, PNG, TIFF or WebP image. Export the photo as JPEG and try again. (UNSUPPORTED_IMAGE)\n`);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('junmai: PHOTO must not be empty: name a photo file.\nRun `junmai help` for the commands and their options.\n');
  });

  it('draws a progress bar over several photos in a terminal', async () => {
    const paths = [photo('a.jpg', 10), photo('b.jpg', 11), photo('c.jpg', 12)];
    t.emu.configure({ generateLatencyMs: 300 });
    const r = await startTerminal(['--url', t.url, 'evaluate', ...paths]).done;
    t.emu.configure({ generateLatencyMs: 0 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| 1\/3 photos \|/);
    expect(r.stdout).toMatch(/\| 2\/3 photos \|/);
    const text = screenText(r.stdout);
    for (const p of paths) expect(text).toContain(p);
    expect(text).toMatch(/3 of 3 photo\(s\) evaluated\./);
  }, 60_000);
});

describe('files the user names', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'] });
  });
  afterAll(async () => t?.close());

  it('export to a folder that does not exist says so, without the pointer to `junmai help`', async () => {
    const file = join(tmp, 'no-such-folder', 'backup.json');
    const r = await cli(['--url', t.url, 'export', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`junmai: Could not write ${file}: the folder ${join(tmp, 'no-such-folder')} does not exist.\n`);
  });
});

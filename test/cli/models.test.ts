import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentResponse, ErrorBody, ExportDocument, ImportResponse, ListResponse, RecommendResponse, StatisticsResponse, SyncResponse,
} from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { cli } from './cli.js';

let t: TestDaemon;
let tmp: string;
const junmai = (...args: string[]) => cli(['--url', t.url, ...args]);
/** Table rows by their first column. */
const rows = (stdout: string) => stdout.split('\n').filter((l) => l.trim() !== '');
const namesIn = (stdout: string) => rows(stdout).slice(1, -1).map((l) => l.split(/\s+/)[0]);

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.2:1b'] });
  await t.req('POST', '/api/model/sync', { body: {} });
  tmp = mkdtempSync(join(tmpdir(), 'junmai-cli-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('junmai list', () => {
  it('prints an aligned table with sizes in GB and ✓ marks, and --json is the API body', async () => {
    const [table, json] = await Promise.all([junmai('list'), junmai('list', '--json')]);
    expect(table.code).toBe(0);
    const lines = rows(table.stdout);
    expect(lines[0]).toMatch(/^NAME\s+PURPOSE\s+SIZE\s+MIN VRAM\s+FITS HERE\s+VISION\s+INSTALLED\s+CURRENT\s+USES$/);
    const gemma = lines.find((l) => l.startsWith('gemma3:4b '));
    expect(gemma).toMatch(/\d+\.\d GB/);
    expect(gemma?.match(/✓/g)).toHaveLength(2); // vision, installed
    // Aligned: every row's SIZE column ends where the header's does.
    const sizeEnd = (lines[0] ?? '').indexOf('SIZE') + 'SIZE'.length;
    for (const l of lines.slice(1, -1)) expect(l.slice(0, sizeEnd)).toMatch(/(GB|MB|-)$/);
    expect(table.stdout).not.toMatch(/\x1b\[/); // piped: no colors

    expect(json.code).toBe(0);
    const body = ListResponse.parse(JSON.parse(json.stdout));
    expect(body.count).toBe(body.models.length);
    expect(namesIn(table.stdout).sort()).toEqual(body.models.map((m) => m.name).sort());
  });

  it('passes the filters to the API', async () => {
    const [installedVision, speedSmall] = await Promise.all([
      junmai('list', '--installed', '--vision'),
      junmai('list', '--purpose', 'speed', '--max-vram', '3', '--json'),
    ]);
    expect(namesIn(installedVision.stdout)).toEqual(['gemma3:4b']);
    const models = ListResponse.parse(JSON.parse(speedSmall.stdout)).models;
    expect(models.map((m) => m.name)).toContain('llama3.2:1b');
    expect(models.every((m) => m.purpose === 'speed' && m.min_vram_gb !== null && m.min_vram_gb <= 3)).toBe(true);
  });
});

describe('junmai current / switch / info', () => {
  it('switches, shows the current model, and reports 404 and 409 with the sentence and exit 1', async () => {
    const none = await junmai('current');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/No current model/);

    const sw = await junmai('switch', 'gemma3:4b');
    expect(sw.code).toBe(0);
    expect(sw.stdout).toMatch(/Switched to gemma3:4b/);
    const [curJson, notInstalled, unknown, info] = await Promise.all([
      junmai('current', '--json'),
      junmai('switch', 'llava:7b'),
      junmai('--json', 'switch', 'no-such-model:1b'),
      junmai('info', 'gemma3:4b'),
    ]);
    expect(CurrentResponse.parse(JSON.parse(curJson.stdout)).current_model).toBe('gemma3:4b');
    expect(notInstalled.code).toBe(1);
    expect(notInstalled.stderr).toMatch(/is not downloaded yet.*\(MODEL_NOT_INSTALLED\)/);
    // --json puts the daemon's error body on stdout; the sentence still goes to stderr for a person.
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no-such-model:1b.*\(MODEL_NOT_FOUND\)/);
    expect(ErrorBody.parse(JSON.parse(unknown.stdout)).code).toBe('MODEL_NOT_FOUND');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^gemma3:4b\s+Gemma 3 4B/);
    expect(info.stdout).toMatch(/current:\s+yes/);
    expect(info.stdout).toMatch(/capabilities:\s+.*vision/);
    expect(info.stdout).toMatch(/needs Ollama:\s+0\.6\.0 or newer/);
  });
});

describe('junmai recommend / stats / hardware / sync', () => {
  it('recommends for 8 GB balanced, positionally or with options', async () => {
    const [human, json] = await Promise.all([
      junmai('recommend', '8', 'balanced'),
      junmai('recommend', '--vram', '8', '--priority', 'balanced', '--json'),
    ]);
    const body = RecommendResponse.parse(JSON.parse(json.stdout));
    expect(body).toMatchObject({ priority: 'balanced', available_vram_gb: 8 });
    expect(body.recommended_model).not.toBeNull();
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/8\.0 GB of GPU memory \(as asked\)/);
    expect(human.stdout).toMatch(new RegExp(`^${body.recommended_model}\\s`, 'm'));
    expect(human.stdout).toMatch(/^Alternatives$/m);
  });

  it('prints statistics of recorded usage', async () => {
    await t.req('POST', '/api/model/usage', {
      body: [
        { model: 'gemma3:4b', duration_ms: 1200, success: true },
        { model: 'gemma3:4b', duration_ms: 1800, success: true },
        { model: 'gemma3:4b', duration_ms: 900, success: false },
      ],
    });
    const [all, one] = await Promise.all([junmai('stats'), junmai('stats', 'gemma3:4b', '--json')]);
    expect(all.code).toBe(0);
    expect(rows(all.stdout)[0]).toMatch(/^MODEL\s+USES\s+SUCCESS\s+MEAN\s+P50\s+P95/);
    // The mean is over successful evaluations: (1200 + 1800) / 2.
    expect(all.stdout).toMatch(/gemma3:4b\s+3\s+67%\s+1\.5 s/);
    const body = StatisticsResponse.parse(JSON.parse(one.stdout));
    expect(body.statistics['gemma3:4b']?.count).toBe(3);
  });

  it('shows the hardware and syncs', async () => {
    const [hw, sync] = await Promise.all([junmai('hardware'), junmai('sync', '--json')]);
    expect(hw.code).toBe(0);
    expect(hw.stdout).toMatch(/memory for models:\s+8\.00 GB on dedicated GPU memory/);
    expect(hw.stdout).toMatch(/Test GPU\s+NVIDIA/);
    expect(SyncResponse.parse(JSON.parse(sync.stdout)).installed.sort()).toEqual(['gemma3:4b', 'llama3.2:1b']);
  });
});

describe('junmai export / import', () => {
  it('round-trips the metadata document through a file, and exports to stdout without one', async () => {
    const file = join(tmp, 'metadata.json');
    const exp = await junmai('export', file);
    expect(exp.code).toBe(0);
    expect(exp.stdout).toMatch(/Exported \d+ model\(s\) to/);
    const doc = ExportDocument.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(doc.current_model).toBe('gemma3:4b');

    // Import onto a fresh daemon: the current model comes across.
    const other = await startTestDaemon({ installed: ['gemma3:4b'] });
    try {
      const imp = await cli(['--url', other.url, 'import', file, '--json']);
      expect(imp.code).toBe(0);
      const body = ImportResponse.parse(JSON.parse(imp.stdout));
      expect(body).toMatchObject({ format: 'junmai', current_model: 'gemma3:4b' });
      expect(body.imported).toContain('gemma3:4b');
      expect((await other.req('GET', '/api/model/current')).body.current_model).toBe('gemma3:4b');
    } finally {
      await other.close();
    }

    const stdout = await junmai('export');
    expect(ExportDocument.parse(JSON.parse(stdout.stdout)).models.length).toBe(doc.models.length);

    const missing = await junmai('import', join(tmp, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });
});

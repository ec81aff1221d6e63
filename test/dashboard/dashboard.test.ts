import { join } from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { ARTIFACTS, consoleErrors, launchChromium } from '../support/browser.js';
import { tinyJpeg } from '../support/images.js';

// What the functions run inside the page use; the project compiles without the DOM library.
interface Canvas { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
declare const document: { querySelector<T = { textContent: string | null; value?: number }>(selector: string): T | null; querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };
declare const window: Record<string, unknown>;
declare const sessionStorage: { getItem(key: string): string | null };

/**
 * The dashboard in Debian's headless Chromium against the real daemon and the Ollama emulator:
 * one tab, used in order, as a photographer would (list, download, switch, charts, cancel, restart).
 */
let t: TestDaemon;
let browser: Browser;
let page: Page;
let errors: string[];
let firstLoadBytes = 0;
/** Every request the tab made, as `METHOD url`. */
const requests: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
const row = (model: string) => page.locator(`#models tr[data-model="${model}"]`);
const job = (model: string) => page.locator('#downloads .job', { has: page.locator('strong', { hasText: model }) }).first();

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'qwen2.5vl:7b'] });
  await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  errors = consoleErrors(page);
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  const pending: Promise<number>[] = [];
  page.on('response', (r: Response) => pending.push(r.body().then((b) => b.length, () => 0)));
  await page.goto(t.url + '/');
  await page.locator('#live[data-state="live"]').waitFor();
  await row('gemma3:4b').waitFor();
  await page.waitForLoadState('networkidle');
  firstLoadBytes = (await Promise.all(pending)).reduce((a, b) => a + b, 0);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the dashboard in a real browser', () => {
  it('lists the emulator\'s models with the current one, health, and loads under 250 KB in all', async () => {
    await shot('1-models');
    expect(await row('gemma3:4b').locator('.pill.current').textContent()).toBe('current');
    expect(await row('qwen2.5vl:7b').locator('td').nth(1).textContent()).toBe('yes');
    expect(await row('moondream:1.8b').locator('td').nth(1).textContent()).toBe('no');
    expect(await row('gemma3:4b').locator('td').nth(2).textContent()).toBe('yes');
    expect(await page.locator('#health .body').textContent()).toMatch(/^Ollamareachable, version 0\.12\.6Databaseok \(schema \d+\)Daemon\d+\.\d+\.\d+ \(API \d+\)$/);
    expect(await page.locator('#token-form').isVisible()).toBe(false);
    console.log(`dashboard first load: ${firstLoadBytes} bytes`);
    // Nothing from the internet: every request went to the daemon.
    expect(requests.filter((r) => !r.split(' ')[1]!.startsWith(`${t.url}/`))).toEqual([]);
    expect(firstLoadBytes).toBeGreaterThan(50_000);
    expect(firstLoadBytes).toBeLessThan(250 * 1024);
  });

  it('a download shows a bar that moves, with speed and time left, and ends completed and installed', async () => {
    t.emu.configure({ pullBytesPerSecond: 400e6, verifyBytesPerSecond: 10e9 });
    const asked = requests.length;
    await row('moondream:1.8b').getByRole('button', { name: 'Download' }).click();
    const bar = job('moondream:1.8b').locator('progress');
    // The section is drawn anew on each event, so the bar is looked up afresh each time.
    const moved = (than: number) =>
      page.waitForFunction((v) => (document.querySelector<{ value: number }>('#downloads progress[aria-label="moondream:1.8b download"]')?.value ?? 0) > v, than);
    await moved(0);
    const first = Number(await bar.getAttribute('value'));
    await moved(first);
    expect(await job('moondream:1.8b').locator('.job-figures').textContent()).toMatch(/ · [\d.]+ MB\/s · \d+ (s|min)/);
    await shot('2-downloading');
    await page.locator('#downloads .job[data-status="completed"]', { hasText: 'moondream:1.8b' }).waitFor({ timeout: 15_000 });
    expect(Number(await bar.getAttribute('value'))).toBe(100);
    await page.waitForFunction(() => document.querySelector('#models tr[data-model="moondream:1.8b"] td:nth-child(2)')?.textContent === 'yes');
    await shot('3-downloaded');
    // The bar moved on /ws events alone: the only requests were the download itself and, once
    // model.installed arrived, the model list read again. Nothing polled the job.
    expect(requests.slice(asked).map((r) => r.replace(t.url, ''))).toEqual(['POST /api/model/download', 'GET /api/model/list']);
  });

  it('switching the model updates the page without a reload', async () => {
    await page.evaluate(() => (window.sameTab = true));
    await row('qwen2.5vl:7b').getByRole('button', { name: 'Use' }).click();
    await row('qwen2.5vl:7b').locator('.pill.current').waitFor();
    expect(await row('gemma3:4b').locator('.pill.current').count()).toBe(0);
    expect((await t.req('GET', '/api/model/current')).body.current_model).toBe('qwen2.5vl:7b');
    // A switch made elsewhere (Lightroom, the CLI) arrives over /ws too.
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    await row('gemma3:4b').locator('.pill.current').waitFor();
    expect(await page.evaluate(() => window.sameTab)).toBe(true);
    await shot('4-switched');
  });

  it('draws the statistics of the model\'s photos as charts', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const records = [3, 2, 1, 0].flatMap((n) => [
      { model: 'gemma3:4b', duration_ms: 2000 + n * 300, success: true, load_ms: 100, at: day(n) },
      { model: 'gemma3:4b', duration_ms: 2600 + n * 300, success: true, load_ms: 100, at: day(n) },
      { model: 'gemma3:4b', duration_ms: 9000, success: true, load_ms: 6000, at: day(n) },
      { model: 'gemma3:4b', duration_ms: 50, success: false, error_code: 'IMAGE_NOT_FOUND', at: day(n) },
    ]);
    expect((await t.req('POST', '/api/model/usage', { body: records })).body.recorded).toBe(16);
    // The page hears of the photos over /ws and reads the figures again; each chart draws its series.
    const canvases = page.locator('#stats canvas');
    await canvases.nth(3).waitFor();
    const coloured = await canvases.evaluateAll((els) =>
      els.map((c) => {
        const { data } = (c as unknown as Canvas).getContext('2d')!.getImageData(0, 0, (c as unknown as Canvas).width, (c as unknown as Canvas).height);
        let n = 0;
        // Pixels far from white, grey and black: the series' colours, not the axes or the grid.
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
          if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
        }
        return n;
      }),
    );
    expect(coloured).toHaveLength(4);
    for (const n of coloured) expect(n).toBeGreaterThan(100);
    expect(await page.locator('#stats-model').inputValue()).toBe('gemma3:4b');
    await shot('5-charts');
  });

  it('shows a finished comparison: the models side by side with agreement and speed', async () => {
    const photos = [1, 2, 3, 4, 5, 6].map((i) => ({ photo_id: `p${i}`, image_base64: tinyJpeg(i).toString('base64'), rating: 1 + (i % 5) }));
    const r = await t.req('POST', '/api/compare', { body: { models: ['gemma3:4b', 'qwen2.5vl:7b'], photos } });
    expect(r.status).toBe(202);
    // The page hears compare.* events and reads the results when the run ends.
    await page.locator('#compare .body > p > strong', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    const results = (await t.req('GET', `/api/compare/${r.body.run.id}`)).body;
    expect(await page.locator('#compare .body > p').nth(1).textContent()).toBe(results.summary);
    const rows = await page.locator('#compare tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
    expect(results.run.status).toBe('completed');
    expect(rows).toEqual(results.results.map((m: { model: string }) => m.model));
    expect(rows.sort()).toEqual(['gemma3:4b', 'qwen2.5vl:7b']);
    const first = results.results[0];
    expect(await page.locator('#compare tbody tr').first().locator('td').nth(7).textContent()).toBe(`${first.failures.model} / ${first.failures.input}`);
    await shot('6-compare');
  });

  it('cancels a download, shows it cancelled, and resumes it', async () => {
    t.emu.configure({ pullBytesPerSecond: 20e6 });
    await page.locator('#pull-name').fill('llava:7b');
    await page.getByRole('button', { name: 'Download', exact: true }).first().click();
    // Some bytes first, so that the resumed job has something to continue from.
    await page.waitForFunction(() => /^(?!0\.0 )[\d.]+ %/.test(document.querySelector('#downloads .job[data-status="downloading"] .job-figures')?.textContent ?? ''));
    await job('llava:7b').getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#downloads .job[data-status="cancelled"]', { hasText: 'llava:7b' }).waitFor();
    expect((await t.req('GET', '/api/model/downloads')).body.jobs.find((j: { model: string }) => j.model === 'llava:7b').status).toBe('cancelled');
    await shot('7-cancelled');
    await job('llava:7b').getByRole('button', { name: 'Resume' }).click();
    // The new job says what the cancelled one left on disk once Ollama reports it.
    await page.locator('#downloads .job[data-status="downloading"] .job-figures', { hasText: /resumed, [\d.]+ MB were already here/ }).waitFor();
    await job('llava:7b').getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('#downloads .job[data-status="cancelled"]')].filter((j) => j.textContent?.includes('llava:7b')).length === 2);
    const resumed = (await t.req('GET', '/api/model/downloads')).body.jobs.filter((j: { model: string }) => j.model === 'llava:7b');
    const byAge = [...resumed].sort((a: { created_at: string }, b: { created_at: string }) => a.created_at.localeCompare(b.created_at));
    expect(byAge.map((j: { status: string; resumed: boolean }) => [j.status, j.resumed]), JSON.stringify(byAge)).toEqual([['cancelled', false], ['cancelled', true]]);
  });

  it('deletes a model after asking, and the list follows', async () => {
    page.once('dialog', (d) => {
      expect(d.message()).toBe('Delete qwen2.5vl:7b from Ollama? It can be downloaded again later.');
      void d.accept();
    });
    await row('qwen2.5vl:7b').getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction(() => document.querySelector('#models tr[data-model="qwen2.5vl:7b"] td:nth-child(2)')?.textContent === 'no');
    expect((await t.req('GET', '/api/model/installed')).body.models.map((m: { name: string }) => m.name).sort()).toEqual(['gemma3:4b', 'moondream:1.8b']);
  });

  it('logged no console error so far (no CSP violation, no failed load, no exception)', () => {
    expect(errors).toEqual([]);
  });

  it('shows a refusal in the API\'s own sentence', async () => {
    await page.locator('#pull-name').fill('no such/thing:x');
    await page.getByRole('button', { name: 'Download', exact: true }).first().click();
    const r = await t.req('POST', '/api/model/download', { body: { model: 'no such/thing:x' } });
    await page.locator('#error:not([hidden])').waitFor();
    // The browser itself reports the 400 in the console; that is the one line this step adds.
    expect(errors).toEqual([expect.stringMatching(/^Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/model\/download\)$/)]);
    errors.length = 0;
    expect(await page.locator('#error').textContent()).toBe(r.body.error);
    expect(await page.locator('#error').getAttribute('data-code')).toBe(r.body.code);
  });

  it('reconnects by itself when the daemon restarts on the same port', async () => {
    await t.restart({ samePort: true });
    // The new run's snapshot brings the page back; a switch made afterwards still arrives.
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await t.req('POST', '/api/model/switch', { body: { model: 'moondream:1.8b' } });
    await row('moondream:1.8b').locator('.pill.current').waitFor();
    await shot('8-after-restart');
    // While the daemon was away the browser itself reports the refused connection attempts; nothing else.
    expect(errors.filter((e) => !/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\?since=\d+&run=[\w-]+' failed/.test(e))).toEqual([]);
  });
});

describe('the dashboard when the daemon requires a token', () => {
  const SECRET = 'dashboard-test-token-0123456789-abcdef';
  let guarded: TestDaemon;
  let tab: Page;

  beforeAll(async () => {
    guarded = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_TOKEN: SECRET } });
    tab = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  });
  // The tab first, as the suite above closes its browser first: the restart test there covers a daemon stopping under an open page.
  afterAll(async () => {
    await tab?.close();
    await guarded?.close();
  });

  it('asks for the token once, keeps it for the tab, and goes live with it', async () => {
    const logged = consoleErrors(tab);
    await tab.goto(guarded.url + '/');
    await tab.locator('#token-form').waitFor();
    expect(await tab.locator('#main').isVisible()).toBe(false);
    expect(await tab.locator('#live').textContent()).toBe('waiting for the token');
    await tab.screenshot({ path: join(ARTIFACTS, 'dashboard-9-token-prompt.png'), fullPage: true });
    await tab.locator('#token').fill(SECRET);
    await tab.getByRole('button', { name: 'Connect' }).click();
    // The WebSocket carries the token as a subprotocol: the page goes live and hears a switch.
    await tab.locator('#live[data-state="live"]').waitFor();
    await tab.locator('#models tr[data-model="gemma3:4b"]').waitFor();
    expect(await tab.evaluate(() => sessionStorage.getItem('junmai.token'))).toBe(SECRET);
    await guarded.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' }, headers: { authorization: `Bearer ${SECRET}` } });
    await tab.locator('#models tr[data-model="gemma3:4b"] .pill.current').waitFor();
    // A reload in the same tab asks nothing again.
    await tab.reload();
    await tab.locator('#live[data-state="live"]').waitFor();
    expect(await tab.locator('#token-form').isVisible()).toBe(false);
    await tab.screenshot({ path: join(ARTIFACTS, 'dashboard-10-token-live.png'), fullPage: true });
    // The one console line is the browser's own report of the first, tokenless 401.
    expect(logged).toEqual([expect.stringMatching(/^Failed to load resource: the server responded with a status of 401 \(Unauthorized\) \(http:\/\/127\.0\.0\.1:\d+\/api\/health\)$/)]);
  });
});

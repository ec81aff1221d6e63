import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { http } from '../support/http.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

/** The dashboard's files as HTTP serves them, the token on its WebSocket, and the daily figures its charts draw. */
let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'] });
});
afterAll(async () => t.close());

const hostOf = (url: string) => new URL(url).host;

describe('the dashboard page', () => {
  it('is served at / with a CSP of the daemon\'s own origin, nosniff, revalidation and an ETag', async () => {
    const r = await t.req('GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://${hostOf(t.url)}; ` +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.text).toBe(readFileSync('dashboard/index.html', 'utf8'));
    const again = await t.req('GET', '/', { headers: { 'if-none-match': r.headers.etag as string } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('serves uPlot from its npm package, byte for byte, and nothing outside its list', async () => {
    const r = await t.req('GET', '/dashboard/uPlot.iife.min.js');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.text).toBe(readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'));
    for (const path of ['/dashboard/nope.js', '/dashboard/..%2Fpackage.json', '/dashboard/%2E%2E%2Fdaemon%2Fconfig.ts']) {
      const miss = await t.req('GET', path);
      expect(miss.status, path).toBe(404);
      expect(miss.body.code, path).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('keeps the Host and Origin rules of the API', async () => {
    const host = await t.req('GET', '/', { headers: { host: 'attacker.example:5100' } });
    expect(host.status).toBe(403);
    expect(host.body.code).toBe('FORBIDDEN_HOST');
    const site = await t.req('GET', '/dashboard/app.js', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    expect(site.body.code).toBe('FORBIDDEN_ORIGIN');
    const origin = await t.req('GET', '/dashboard/app.js', { headers: { origin: 'https://evil.example' } });
    expect(origin.status).toBe(403);
    expect(origin.body.code).toBe('FORBIDDEN_ORIGIN');
  });
});

/** Opens /ws and resolves with the chosen subprotocol, or rejects with the HTTP status of the refusal. */
function openWs(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, protocols, { headers });
    ws.once('open', () => {
      resolve(ws.protocol);
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const asProtocol = (token: string) => `junmai.bearer.${Buffer.from(token).toString('base64url')}`;

describe('token mode', () => {
  const SECRET = 'a-long-enough-secret-token-0123456789';
  let guarded: TestDaemon;
  beforeAll(async () => {
    guarded = await startTestDaemon({ env: { JUNMAI_TOKEN: SECRET } });
  });
  afterAll(async () => guarded.close());

  it('serves the page without the token (a browser cannot send one to open it) but no data', async () => {
    expect((await guarded.req('GET', '/')).status).toBe(200);
    expect((await guarded.req('GET', '/dashboard/app.js')).status).toBe(200);
    const api = await guarded.req('GET', '/api/health');
    expect(api.status).toBe(401);
    expect(api.body.code).toBe('UNAUTHORIZED');
  });

  it('refuses a WebSocket without the token, and takes it as a subprotocol, never echoing it', async () => {
    await expect(openWs(guarded.url, [])).rejects.toThrow('HTTP 401');
    await expect(openWs(guarded.url, ['junmai'])).rejects.toThrow('HTTP 401');
    await expect(openWs(guarded.url, ['junmai', asProtocol('wrong-token-of-the-same-length-00000')])).rejects.toThrow('HTTP 401');
    // Only on an upgrade: a plain request carrying the header is still refused.
    const plain = await guarded.req('GET', '/api/health', { headers: { 'sec-websocket-protocol': asProtocol(SECRET) } });
    expect(plain.status).toBe(401);
    expect(await openWs(guarded.url, ['junmai', asProtocol(SECRET)])).toBe('junmai');
    expect(await openWs(guarded.url, [asProtocol(SECRET), 'junmai'])).toBe('junmai');
    expect(await openWs(guarded.url, [], { authorization: `Bearer ${SECRET}` })).toBe('');
  });

  it('beyond loopback serves the page whatever Host names this computer, and still refuses other sites', async () => {
    const open = await startTestDaemon({ env: { JUNMAI_HOST: '0.0.0.0' } });
    try {
      const base = `http://127.0.0.1:${new URL(open.url).port}`;
      const page = await http(base, 'GET', '/', { headers: { host: 'studio-mac.local:5100' } });
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("connect-src 'self' ws://studio-mac.local:5100;");
      const site = await http(base, 'GET', '/dashboard/app.js', { headers: { host: 'studio-mac.local:5100', 'sec-fetch-site': 'cross-site' } });
      expect(site.status).toBe(403);
      expect((await http(base, 'GET', '/api/health', { headers: { host: 'studio-mac.local:5100' } })).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('GET /api/model/statistics/daily', () => {
  it('counts each UTC day\'s photos, whose fault each failure was, cold loads, and warm p50/p95', async () => {
    const DAY = 86_400_000;
    const today = Math.floor(Date.now() / DAY) * DAY;
    const at = (daysAgo: number) => new Date(today - daysAgo * DAY + 3_600_000).toISOString();
    const rec = (daysAgo: number, duration_ms: number, extra: object = {}) => ({ model: 'gemma3:4b', duration_ms, success: true, load_ms: 100, at: at(daysAgo), ...extra });
    const body = [
      rec(0, 4000), rec(0, 1000), rec(0, 3000), rec(0, 2000),
      rec(0, 8000, { load_ms: 5000 }),
      rec(0, 30, { success: false, error_code: 'MODEL_OUTPUT_INVALID' }),
      rec(0, 5, { success: false, error_code: 'IMAGE_NOT_FOUND' }),
      rec(2, 1500),
      rec(40, 700),
    ];
    expect((await t.req('POST', '/api/model/usage', { body })).body.recorded).toBe(9);
    const day = (daysAgo: number) => new Date(today - daysAgo * DAY).toISOString().slice(0, 10);
    const r = await t.req('GET', '/api/model/statistics/daily?model=gemma3:4b');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: true,
      model: 'gemma3:4b',
      days: [
        { day: day(2), photos: 1, successes: 1, failures: 0, caller_faults: 0, cold_starts: 0, warm_p50_ms: 1500, warm_p95_ms: 1500 },
        { day: day(0), photos: 7, successes: 5, failures: 1, caller_faults: 1, cold_starts: 1, warm_p50_ms: 2000, warm_p95_ms: 4000 },
      ],
    });
    const longer = await t.req('GET', '/api/model/statistics/daily?model=gemma3:4b&days=60');
    expect(longer.body.days.map((d: { day: string }) => d.day)).toEqual([day(40), day(2), day(0)]);
    const bad = await t.req('GET', '/api/model/statistics/daily?model=gemma3:4b&days=0');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
  });
});

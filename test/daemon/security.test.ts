import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../support/http.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_BODY_LIMIT_BYTES: '65536' } });
});
afterAll(async () => t.close());

describe('Host header (DNS rebinding)', () => {
  it.each([
    ['localhost', 200],
    ['localhost:5100', 200],
    ['127.0.0.1:5100', 200],
    ['127.0.0.2', 200],
    ['[::1]:5100', 200],
    ['LOCALHOST:5100', 200],
    ['example.com', 403],
    ['example.com:5100', 403],
    ['attacker.example:5100', 403],
    ['127.0.0.1.nip.io', 403],
    ['localhost.evil.com', 403],
    [':5100', 403],
    ['', 403],
    ['192.168.1.20:5100', 403],
    ['[::ffff:7f00:1]', 403],
    ['localhost:5100@evil.com', 403],
  ])('Host %j → %i', async (host, status) => {
    const r = await t.req('GET', '/api/model/current', { headers: { host } });
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body).toMatchObject({ success: false, code: 'FORBIDDEN_HOST' });
  });
});

describe('Origin (CSRF from web pages)', () => {
  it.each([
    [{ origin: 'http://localhost:3000' }, 200],
    [{ origin: 'http://127.0.0.1:5100' }, 200],
    [{ origin: 'https://evil.example' }, 403],
    [{ origin: 'null' }, 403],
    [{ origin: 'file://' }, 403],
    [{ 'sec-fetch-site': 'cross-site' }, 403],
    [{ 'sec-fetch-site': 'same-origin' }, 200],
  ])('%j → %i', async (headers, status) => {
    const r = await t.req('POST', '/api/model/sync', { body: {}, headers: { ...headers, 'content-type': 'application/json' } });
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body.code).toBe('FORBIDDEN_ORIGIN');
  });

  it('never grants a CORS preflight', async () => {
    const r = await t.req('OPTIONS', '/api/model/switch', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(r.status).toBe(403);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('content type and size', () => {
  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
    ['application/json; charset=utf-8', 200],
  ])('POST /switch with %s → %i', async (type, status) => {
    const r = await t.req('POST', '/api/model/usage', { raw: JSON.stringify({ model: 'gemma3:4b', duration_ms: 1, success: true }), headers: { 'content-type': type } });
    expect(r.status).toBe(status);
    if (status === 415) expect(r.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a mutating request without any content type', async () => {
    const r = await t.req('POST', '/api/model/sync');
    expect(r.status).toBe(415);
  });

  it('answers 413 for a body over the limit', async () => {
    const r = await t.req('POST', '/api/model/import', { body: { models: {}, padding: 'x'.repeat(70_000) } });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ success: false, code: 'BODY_TOO_LARGE' });
  });

  it.each(['{"model":', 'null x', '{"model": "gemma3:4b",}', '\u0000'])('answers 400 MALFORMED_JSON for %j', async (raw) => {
    const r = await t.req('POST', '/api/model/switch', { raw, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('MALFORMED_JSON');
  });

  it('refuses prototype pollution in bodies', async () => {
    const r = await t.req('POST', '/api/model/switch', { raw: '{"model":"gemma3:4b","__proto__":{"polluted":1}}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers unknown routes with 404 ROUTE_NOT_FOUND in the error shape', async () => {
    const r = await t.req('GET', '/api/model/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ success: false, code: 'ROUTE_NOT_FOUND' });
  });

  it('serves the OpenAPI document at /docs/json', async () => {
    const r = await t.req('GET', '/docs/json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/api/model/list', '/api/model/switch', '/api/model/usage', '/api/health']));
  });
});

describe('token when listening beyond loopback', () => {
  it('generates a 0600 token into the data dir and requires it as a bearer token', async () => {
    const open = await startTestDaemon({ env: { JUNMAI_HOST: '0.0.0.0' } });
    try {
      const tokenPath = join(open.dataDir, 'token');
      expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenPath, 'utf8').trim();
      const port = new URL(open.url).port;
      const base = `http://127.0.0.1:${port}`;
      const none = await http(base, 'GET', '/api/model/current');
      expect(none.status).toBe(401);
      expect(none.body.code).toBe('UNAUTHORIZED');
      expect((await http(base, 'GET', '/api/model/current', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await http(base, 'GET', '/api/model/current', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('beyond loopback, accepts the token whatever Host names this computer, and answers 401 without it', async () => {
    const open = await startTestDaemon({ env: { JUNMAI_HOST: '0.0.0.0' } });
    try {
      const token = readFileSync(join(open.dataDir, 'token'), 'utf8').trim();
      const base = `http://127.0.0.1:${new URL(open.url).port}`;
      for (const host of ['192.168.1.20:5100', 'studio-mac.local:5100', 'studio-mac', '[fe80::1]:5100', '127.0.0.1']) {
        const ok = await http(base, 'GET', '/api/model/current', { headers: { host, authorization: `Bearer ${token}` } });
        expect(ok.status, host).toBe(200);
        const none = await http(base, 'GET', '/api/model/current', { headers: { host } });
        expect(none.status, host).toBe(401);
        expect(none.body.code, host).toBe('UNAUTHORIZED');
      }
    } finally {
      await open.close();
    }
  });

  it('on loopback with a token, keeps the strict Host check as well', async () => {
    const secret = 'a-long-enough-secret-token-0123456789';
    const guarded = await startTestDaemon({ env: { JUNMAI_TOKEN: secret } });
    try {
      const r = await guarded.req('GET', '/api/health', { headers: { host: '192.168.1.20:5100', authorization: `Bearer ${secret}` } });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN_HOST');
    } finally {
      await guarded.close();
    }
  });

  it('requires JUNMAI_TOKEN whenever it is set', async () => {
    const secret = 'a-long-enough-secret-token-0123456789';
    const guarded = await startTestDaemon({ env: { JUNMAI_TOKEN: secret } });
    try {
      expect((await guarded.req('GET', '/api/health')).status).toBe(401);
      expect((await guarded.req('GET', '/api/health', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

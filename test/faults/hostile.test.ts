import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../daemon/store/db.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import type { HttpResult } from '../support/http.js';

let t: TestDaemon;
let requests = 0;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b'] });
  await t.req('POST', '/api/model/sync', { body: {} });
  // Pulls never progress, so a download a random request starts changes nothing after its 202.
  t.emu.fault('pull', { kind: 'hang' });
});
afterAll(async () => {
  console.log(`[faults] hostile input: ${requests} random requests, no 5xx, no stack trace, no row changed by a refused request`);
  await t.close();
});

/** Everything a request could change, as one string. */
function snapshot(): string {
  const db = (t.daemon.store as unknown as { db: Db }).db;
  const tables = ['models', 'settings', 'usage_totals', 'download_jobs'];
  const rows = tables.map((name) => db.prepare(`SELECT * FROM ${name} ORDER BY 1`).all());
  const usage = db.prepare('SELECT count(*) AS n, max(id) AS last FROM usage').get();
  return JSON.stringify([rows, usage]);
}

function assertSafe(r: HttpResult, what: string): void {
  requests++;
  expect(r.status, what).toBeLessThan(500);
  expect(r.text, what).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|\/work\/|SqliteError|TypeError/);
  if (r.status >= 400) {
    expect(r.body, what).toMatchObject({ success: false });
    expect(typeof r.body.error, what).toBe('string');
    expect(r.body.code, what).toMatch(/^[A-Z_]+$/);
  }
}

async function probe(method: string, path: string, o: Parameters<TestDaemon['req']>[2] = {}): Promise<void> {
  // A successful switch warms the model up in the background; its row must not land between the snapshots.
  await t.daemon.warmup.settled();
  const before = snapshot();
  const r = await t.req(method, path, o);
  await t.daemon.warmup.settled();
  assertSafe(r, `${method} ${path} ${o.raw ?? JSON.stringify(o.body)}`);
  if (r.status >= 400) expect(snapshot(), `${method} ${path} changed the store but failed with ${r.status}`).toBe(before);
}

const modelish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', '..', '../../etc/passwd', 'gemma3:4b', 'GEMMA3:4B', 'llama3.1:8b-instruct', 'a/b/c/d', ':', 'x:', ':y', '%00', 'gemma3\n', 'hf.co/a/b:c', 'x'.repeat(129)),
  fc.tuple(fc.stringMatching(/^[a-z0-9._-]{0,20}$/), fc.stringMatching(/^[a-z0-9._-]{0,10}$/)).map(([a, b]) => `${a}:${b}`),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const fieldValue = fc.oneof(anyJson, modelish, fc.double(), fc.integer(), fc.boolean(), fc.constant(null));

const POST_ROUTES = ['switch', 'download', 'recommend', 'check_compatibility', 'usage', 'import', 'sync', 'export'] as const;
const FIELDS = ['model', 'available_vram_gb', 'priority', 'capability', 'context_length', 'num_parallel', 'force', 'duration_ms', 'success', 'photo_id', 'models', 'current_model', 'format', 'version'];

describe('hostile input, property-based', () => {
  it('random JSON bodies to every mutating route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), anyJson, async (route, body) => {
        await probe('POST', `/api/model/${route}`, { body });
      }),
      { numRuns: 300 },
    );
  });

  it('plausible bodies with random field values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 5 }), async (route, body) => {
        await probe('POST', `/api/model/${route}`, { body });
      }),
      { numRuns: 400 },
    );
  });

  it('random model names wherever a name is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(modelish, async (name) => {
        await probe('GET', `/api/model/info/${encodeURIComponent(name)}`);
        await probe('GET', `/api/model/statistics?model=${encodeURIComponent(name)}`);
        await probe('POST', '/api/model/switch', { body: { model: name } });
        await probe('DELETE', '/api/model/delete', { body: { model: name } });
        await probe('POST', '/api/model/check_compatibility', { body: { model: name } });
        await probe('POST', '/api/model/usage', { body: [{ model: 'gemma3:4b', duration_ms: 1, success: true }, { model: name, duration_ms: 1, success: true }] });
      }),
      { numRuns: 150 },
    );
  });

  it('random query strings and job ids', async () => {
    const query = fc.dictionary(fc.constantFrom('purpose', 'max_vram', 'installed_only', 'capability', 'model', 'limit', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(query, fc.string({ maxLength: 80 }), async (q, id) => {
        const qs = new URLSearchParams(q).toString();
        for (const path of ['list', 'statistics', 'downloads', 'installed', 'current']) await probe('GET', `/api/model/${path}?${qs}`);
        await probe('GET', `/api/model/downloads/${encodeURIComponent(id)}`);
        await probe('DELETE', `/api/model/downloads/${encodeURIComponent(id)}`, { body: {} });
        await probe('POST', `/api/model/downloads/${encodeURIComponent(id)}/resume`, { body: {} });
      }),
      { numRuns: 100 },
    );
  });

  it('raw bytes that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), fc.string({ maxLength: 200 }), async (route, raw) => {
        await probe('POST', `/api/model/${route}`, { raw, headers: { 'content-type': 'application/json' } });
      }),
      { numRuns: 200 },
    );
  });
});

describe('refusals with their documented codes', () => {
  it.each([
    [{ host: 'evil.example' }, 403, 'FORBIDDEN_HOST'],
    [{ origin: 'https://evil.example' }, 403, 'FORBIDDEN_ORIGIN'],
    [{ 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('%j → %i %s, nothing changed', async (headers, status, code) => {
    const before = snapshot();
    const r = await t.req('POST', '/api/model/switch', { raw: JSON.stringify({ model: 'llama3.1:8b' }), headers: { 'content-type': 'application/json', ...headers } });
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(snapshot()).toBe(before);
  });

  it('an oversize body → 413, a path-traversal name → 400 INVALID_MODEL_NAME', async () => {
    const big = await t.req('POST', '/api/model/usage', { body: Array.from({ length: 100_000 }, () => ({ model: 'gemma3:4b', duration_ms: 1, success: true })) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('BODY_TOO_LARGE');
    const trav = await t.req('POST', '/api/model/switch', { body: { model: '../../../../etc/passwd' } });
    expect(trav.status).toBe(400);
    expect(trav.body.code).toBe('INVALID_MODEL_NAME');
  });
});

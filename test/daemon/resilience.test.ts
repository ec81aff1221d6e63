import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse } from '../../daemon/schemas/api.js';
import { openDatabase, StoreOpenError } from '../../daemon/store/db.js';
import { MIGRATIONS } from '../../daemon/store/migrations.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b'] });
  await t.req('POST', '/api/model/sync', { body: {} });
});
afterAll(async () => t.close());

describe('GET /api/health', () => {
  it('reports versions, Ollama and the database', async () => {
    const r = await t.req('GET', '/api/health');
    expect(r.status).toBe(200);
    const h = HealthResponse.parse(r.body);
    expect(h).toMatchObject({ status: 'ok', api_version: 1, ollama: { reachable: true, url: t.emu.url }, database: { ok: true, schema_version: MIGRATIONS.length } });
    expect(h.daemon_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(h.evaluation).toEqual({ concurrency: 1, max_queue: 64 });
    expect(h.ollama.version).toMatch(/^\d+\.\d+/);
  });
});

describe('GET /api/hardware', () => {
  it('returns what the hardware probe found', async () => {
    const r = await t.req('GET', '/api/hardware');
    expect(r.status).toBe(200);
    expect(r.body.hardware).toMatchObject({ memory_source: 'dedicated_vram', gpu_memory_bytes: 8 * 1024 ** 3 });
    expect(r.body.hardware.gpus[0]).toMatchObject({ vendor: 'NVIDIA', dedicated: true });
    // Ollama (the emulator) is on this machine, so the free space of its models disk is known.
    expect(r.body.hardware.disk_free_bytes).toBeGreaterThan(0);
    expect(typeof r.body.hardware.models_dir).toBe('string');
  });
});

describe('Ollama down', () => {
  it('answers 503 OLLAMA_UNREACHABLE naming the URL where Ollama is needed, and keeps serving the store', async () => {
    await t.emu.stop();
    try {
      const health = (await t.req('GET', '/api/health')).body;
      expect(health).toMatchObject({ status: 'degraded', ollama: { reachable: false, version: null } });
      expect(health.ollama.error).toContain(t.emu.url);

      const sync = await t.req('POST', '/api/model/sync', { body: {} });
      expect(sync.status).toBe(503);
      expect(sync.body).toMatchObject({ success: false, code: 'OLLAMA_UNREACHABLE' });
      expect(sync.body.error).toContain(t.emu.url);

      const del = await t.req('DELETE', '/api/model/delete', { body: { model: 'llama3.1:8b' } });
      expect(del.status).toBe(503);

      expect((await t.req('GET', '/api/model/list')).status).toBe(200);
      expect((await t.req('GET', '/api/model/installed')).body.count).toBe(2);
      const sw = await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
      expect(sw.status).toBe(200);
      expect((await t.req('GET', '/api/model/current')).body.current_model).toBe('gemma3:4b');
      expect((await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', duration_ms: 5, success: true } })).status).toBe(200);
      expect((await t.req('GET', '/api/model/statistics')).status).toBe(200);
    } finally {
      await t.emu.start();
    }
  });

  it('answers 504 OLLAMA_TIMEOUT within the configured bound when Ollama hangs', async () => {
    t.emu.fault('tags', { kind: 'hang' });
    try {
      const started = Date.now();
      const r = await t.req('POST', '/api/model/sync', { body: {} });
      expect(r.status).toBe(504);
      expect(r.body.code).toBe('OLLAMA_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      t.emu.clearFaults();
    }
  });

  it('passes on an Ollama error as 502 OLLAMA_ERROR with its message', async () => {
    t.emu.fault('tags', { kind: 'status', status: 500, error: 'something broke in the runner' });
    try {
      const r = await t.req('POST', '/api/model/sync', { body: {} });
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ code: 'OLLAMA_ERROR' });
      expect(r.body.error).toMatch(/something broke in the runner/);
    } finally {
      t.emu.clearFaults();
    }
  });
});

describe('restart', () => {
  it('keeps the current model, usage and models across a restart', async () => {
    await t.req('POST', '/api/model/switch', { body: { model: 'llama3.1:8b' } });
    await t.req('POST', '/api/model/usage', { body: [{ model: 'llama3.1:8b', duration_ms: 100, success: true }, { model: 'llama3.1:8b', duration_ms: 300, success: true }] });
    const before = (await t.req('GET', '/api/model/statistics?model=llama3.1:8b')).body.statistics;
    await t.restart();
    expect((await t.req('GET', '/api/model/current')).body.current_model).toBe('llama3.1:8b');
    expect((await t.req('GET', '/api/model/statistics?model=llama3.1:8b')).body.statistics).toEqual(before);
    expect((await t.req('GET', '/api/model/installed')).body.count).toBe(2);
  });
});

describe('the database file', () => {
  it('is in WAL mode with the schema version set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junmai-db-'));
    try {
      openDatabase(dir).db.close();
      const db = new Database(join(dir, 'junmai.db'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer version, and leaves it untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junmai-db-'));
    try {
      const db = new Database(join(dir, 'junmai.db'));
      db.exec('CREATE TABLE future (x)');
      db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
      db.close();
      expect(() => openDatabase(dir)).toThrow(StoreOpenError);
      expect(() => openDatabase(dir)).toThrow(/newer version of Junmai/);
      const again = new Database(join(dir, 'junmai.db'));
      expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
      expect(again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'models'").get()).toEqual({ n: 0 });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the old README's curl examples", () => {
  it('curl http://localhost:5100/api/model/list', async () => {
    const r = await t.req('GET', '/api/model/list', { headers: { host: 'localhost:5100', 'user-agent': 'curl/8.5.0', accept: '*/*' } });
    expect(r.status).toBe(200);
    expect(r.body.success).toBe(true);
    expect(r.body.models.length).toBeGreaterThan(0);
  });

  it('switch to llama3.1:8b-instruct', async () => {
    const r = await t.req('POST', '/api/model/switch', { raw: '{"model": "llama3.1:8b-instruct"}', headers: { host: 'localhost:5100', 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, current_model: 'llama3.1:8b' });
  });

  it('recommend with 8 GB, balanced', async () => {
    const r = await t.req('POST', '/api/model/recommend', { raw: '{"available_vram_gb": 8.0, "priority": "balanced"}', headers: { host: 'localhost:5100', 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.body.success).toBe(true);
    expect(typeof r.body.recommended_model).toBe('string');
  });
});

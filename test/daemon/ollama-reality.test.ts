import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse, ListResponse, type ModelView } from '../../daemon/schemas/api.js';
import { tinyJpeg } from '../support/images.js';
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from '../support/daemon.js';

// The daemon against the unkind parts of the real Ollama (issue 11): each of these failed, or sent
// a photo where it must not, against the daemon before it.

const GIB = 1024 ** 3;
let dir: string;
let seed = 9000;
let t: TestDaemon | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-reality-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function photo(): string {
  const path = join(dir, `photo-${++seed}.jpg`);
  writeFileSync(path, tinyJpeg(seed));
  return path;
}

async function daemon(o: TestDaemonOptions): Promise<TestDaemon> {
  t = await startTestDaemon(o);
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
  return t;
}

const sent = (d: TestDaemon, path: string) => d.emu.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);
const evaluate = (d: TestDaemon, body: Record<string, unknown>) => d.req('POST', '/api/evaluate', { body: { image_path: photo(), ...body } });
const usage = (d: TestDaemon) => {
  const db = new Database(join(d.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT model, kind, success, error_code FROM usage ORDER BY id').all() as { model: string; kind: string; success: number; error_code: string | null }[];
  } finally {
    db.close();
  }
};

describe('keep_alive in the forms Ollama accepts', () => {
  it('"keep loaded forever" (-1) is sent as the number -1, in evaluations and warm-ups alike', async () => {
    const d = await daemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_KEEP_ALIVE: '-1' } });
    expect((await d.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } })).status).toBe(200);
    await d.daemon.warmup.settled();
    const r = await evaluate(d, {});
    expect(r.status, r.text).toBe(200);
    expect(sent(d, '/api/generate').map((b) => b.keep_alive)).toEqual([-1]);
    expect(sent(d, '/api/chat').map((b) => b.keep_alive)).toEqual([-1]);
    expect(usage(d).map((u) => [u.kind, u.success, u.error_code])).toEqual([['warmup', 1, null], ['inference', 1, null]]);
  });

  it('0 is sent as the number 0, and a per-request number or Go duration passes as given', async () => {
    const d = await daemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_KEEP_ALIVE: '0' } });
    expect((await evaluate(d, { model: 'gemma3:4b' })).status).toBe(200);
    expect((await evaluate(d, { model: 'gemma3:4b', options: { keep_alive: 3600 } })).status).toBe(200);
    expect((await evaluate(d, { model: 'gemma3:4b', options: { keep_alive: '1h30m' } })).status).toBe(200);
    expect(sent(d, '/api/chat').map((b) => b.keep_alive)).toEqual([0, 3600, '1h30m']);
  });

  it('a per-request string Ollama would refuse is refused here with Go\'s reason, before Ollama is asked', async () => {
    const d = await daemon({ installed: ['gemma3:4b'] });
    for (const [value, reason] of [['-1', 'time: missing unit in duration "-1"'], ['30', 'time: missing unit in duration "30"'], ['5 min', 'time: unknown unit " min" in duration "5 min"']]) {
      const r = await evaluate(d, { model: 'gemma3:4b', options: { keep_alive: value } });
      expect(r.status, value).toBe(400);
      expect(r.body).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
      expect(r.body.error).toContain(reason);
    }
    expect(sent(d, '/api/chat')).toEqual([]);
  });

  it('a number of seconds beyond what Go\'s Duration holds is refused: Ollama would unload the model at once', async () => {
    const d = await daemon({ installed: ['gemma3:4b'] });
    expect((await evaluate(d, { model: 'gemma3:4b', options: { keep_alive: 9_223_372_036 } })).status).toBe(200);
    const r = await evaluate(d, { model: 'gemma3:4b', options: { keep_alive: 9_223_372_037 } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
    expect(sent(d, '/api/chat').map((b) => b.keep_alive)).toEqual([9_223_372_036]);
  });

  it.each(['0', '0s'])('with JUNMAI_EVAL_KEEP_ALIVE=%s a switch warms nothing up: Ollama reads that load as "unload"', async (keepAlive) => {
    const d = await daemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_KEEP_ALIVE: keepAlive } });
    expect((await d.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } })).status).toBe(200);
    await d.daemon.warmup.settled();
    expect(sent(d, '/api/generate')).toEqual([]);
    expect(usage(d)).toEqual([]);
  });
});

describe('an explicit context length', () => {
  it('evaluations and warm-ups send num_ctx (8,192 by default), so a 48 GiB GPU does not get a 131,072-token runner', async () => {
    const d = await daemon({ installed: ['gemma3:4b'], emulator: { version: '0.15.5', vramBytes: 48 * GIB } });
    expect((await d.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } })).status).toBe(200);
    await d.daemon.warmup.settled();
    const r = await evaluate(d, {});
    expect(r.status, r.text).toBe(200);
    // Same options as the warm-up: the runner it loaded is the one the photo uses.
    expect(r.body.timings.load_ms).toBeLessThan(100);
    expect(sent(d, '/api/generate').map((b) => b.options)).toEqual([{ num_ctx: 8192 }]);
    expect(sent(d, '/api/chat').map((b) => (b.options as Record<string, unknown>).num_ctx)).toEqual([8192]);
    const ps = (await (await fetch(`${d.emu.url}/api/ps`)).json()) as { models: { context_length: number }[] };
    expect(ps.models.map((m) => m.context_length)).toEqual([8192]);
  });

  it('the fit estimate and min_vram_gb assume the same JUNMAI_NUM_CTX', async () => {
    const d = await daemon({ installed: ['gemma3:4b'], env: { JUNMAI_NUM_CTX: '32768' } });
    const fit = await d.req('POST', '/api/model/check_compatibility', { body: { model: 'gemma3:4b' } });
    expect(fit.status, fit.text).toBe(200);
    expect(fit.body.estimate.context_length).toBe(32768);
    const atDefault = await d.req('POST', '/api/model/check_compatibility', { body: { model: 'gemma3:4b', context_length: 4096 } });
    expect(fit.body.estimate.kv_cache_gb).toBeGreaterThan(atDefault.body.estimate.kv_cache_gb);
    const info = await d.req('GET', '/api/model/info/gemma3:4b');
    expect(info.body.model.min_vram_gb).toBeGreaterThanOrEqual(fit.body.estimate.total_gb);
    const rec = await d.req('POST', '/api/model/recommend', { body: { available_vram_gb: 24 } });
    expect(rec.body.recommendation.estimate.context_length).toBe(32768);
  });
});

describe('thinking models', () => {
  it('a model that thinks by default is asked not to, so its answer is not eaten by its thoughts', async () => {
    const d = await daemon({ installed: ['qwen3-vl:8b'] });
    const r = await evaluate(d, { model: 'qwen3-vl:8b' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.attempts).toBe(1);
    expect(sent(d, '/api/chat').map((b) => b.think)).toEqual([false]);
  });

  it('an answer cut off at the token limit fails as MODEL_OUTPUT_TRUNCATED, a fault of the model', async () => {
    const d = await daemon({ installed: ['gemma3:4b'] });
    d.emu.configure({ responder: () => 'and '.repeat(3000) });
    const r = await evaluate(d, { model: 'gemma3:4b' });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ success: false, code: 'MODEL_OUTPUT_TRUNCATED', details: { attempts: 2, num_predict: 1024 } });
    expect(r.body.error).toBe('gemma3:4b ran out of room before finishing its evaluation (1024 tokens), in 2 attempts. Models that think aloud or ramble cause this; try again, or choose another vision model.');
    expect(usage(d)).toEqual([{ model: 'gemma3:4b', kind: 'inference', success: 0, error_code: 'MODEL_OUTPUT_TRUNCATED' }]);
  });
});

describe('cloud models', () => {
  const CLOUD = 'qwen3-vl:235b-cloud';

  it('are listed as remote, with no size or memory figure, and never recommended', async () => {
    const d = await daemon({ installed: [CLOUD, 'gemma3:4b'] });
    const list = ListResponse.parse((await d.req('GET', '/api/model/list')).body);
    const cloud = list.models.find((m: ModelView) => m.name === CLOUD);
    expect(cloud).toMatchObject({ installed: true, remote_host: 'https://ollama.com:443', size_bytes: null, size_gb: null, min_vram_gb: null, vision: true });
    expect(list.models.find((m: ModelView) => m.name === 'gemma3:4b')?.remote_host).toBeNull();
    for (const capability of ['vision', 'any']) {
      const rec = await d.req('POST', '/api/model/recommend', { body: { available_vram_gb: 512, priority: 'quality', capability } });
      const named = [rec.body.recommended_model, ...rec.body.alternatives.map((a: { model: string }) => a.model)];
      expect(named, capability).not.toContain(CLOUD);
    }
    const fit = await d.req('POST', '/api/model/check_compatibility', { body: { model: CLOUD } });
    expect(fit.status).toBe(400);
    expect(fit.body).toMatchObject({ code: 'INVALID_REQUEST', error: `${CLOUD} runs on ollama.com, not on this computer, so it needs none of this computer's memory.` });
  });

  it('never receive a photo, nor become the current model, unless JUNMAI_ALLOW_CLOUD_MODELS is on', async () => {
    const d = await daemon({ installed: [CLOUD, 'gemma3:4b'] });
    const sentence = `${CLOUD} runs on ollama.com, not on this computer, so evaluating with it would send your photos to the internet. Choose a local model, or set JUNMAI_ALLOW_CLOUD_MODELS=true if you want that.`;
    const r = await evaluate(d, { model: CLOUD });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ success: false, code: 'CLOUD_MODEL_REFUSED', error: sentence, details: { model: CLOUD } });
    // A -cloud tag goes to ollama.com whether or not it is listed.
    expect((await evaluate(d, { model: 'gpt-oss:120b-cloud' })).body.code).toBe('CLOUD_MODEL_REFUSED');
    const s = await d.req('POST', '/api/model/switch', { body: { model: CLOUD } });
    expect(s.status).toBe(403);
    expect(s.body.code).toBe('CLOUD_MODEL_REFUSED');
    expect(sent(d, '/api/chat')).toEqual([]);
    expect(usage(d)).toEqual([]);
  });

  it('with the opt-in, are used and warned about, and nothing is loaded on this computer for them', async () => {
    const d = await daemon({ installed: [CLOUD], env: { JUNMAI_ALLOW_CLOUD_MODELS: 'true' } });
    const s = await d.req('POST', '/api/model/switch', { body: { model: CLOUD } });
    expect(s.status, s.text).toBe(200);
    expect(s.body.warning).toBe(`${CLOUD} runs on ollama.com: every photo you evaluate with it leaves this computer.`);
    await d.daemon.warmup.settled();
    expect(sent(d, '/api/generate')).toEqual([]);
    expect((await evaluate(d, {})).status).toBe(200);
    expect(sent(d, '/api/chat').map((b) => b.model)).toEqual([CLOUD]);
  });
});

describe("Ollama's version", () => {
  it('below 0.5.0 health says "update Ollama" and an evaluation fails as OLLAMA_OUTDATED', async () => {
    const d = await daemon({ installed: ['gemma3:4b'], emulator: { version: '0.4.7' } });
    const h = HealthResponse.parse((await d.req('GET', '/api/health')).body);
    expect(h.status).toBe('degraded');
    expect(h.ollama).toEqual({
      reachable: true, url: d.emu.url, version: '0.4.7', error: null, outdated: true, required_version: '0.6.4',
      update_notice: 'Ollama 0.4.7 is too old to evaluate photos: Junmai needs Ollama 0.6.4 or newer (0.5.0 at the very least, for structured answers). Update Ollama from ollama.com/download.',
    });
    const r = await evaluate(d, { model: 'gemma3:4b' });
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('OLLAMA_OUTDATED');
  });

  it('below 0.6.4 health asks for an update while evaluations still work', async () => {
    const d = await daemon({ installed: ['gemma3:4b'], emulator: { version: '0.6.3' } });
    const h = HealthResponse.parse((await d.req('GET', '/api/health')).body);
    expect(h.ollama).toMatchObject({
      outdated: true,
      update_notice: 'Ollama 0.6.3 is out of date: update Ollama to 0.6.4 or newer from ollama.com/download, so Junmai can tell which models see images.',
    });
    expect((await evaluate(d, { model: 'gemma3:4b' })).status).toBe(200);
  });

  it('an Ollama replaced by one older than 0.5.0 since it was last seen refuses the schema, and that is OLLAMA_OUTDATED', async () => {
    const d = await daemon({ installed: ['gemma3:4b'] });
    // The daemon last saw 0.12.6; the Ollama answering now is older.
    d.emu.configure({ version: '0.4.7' });
    const r = await evaluate(d, { model: 'gemma3:4b' });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({
      success: false, code: 'OLLAMA_OUTDATED',
      error: 'This Ollama is too old for structured answers: update Ollama to 0.6.4 or newer from ollama.com/download.',
    });
    expect(sent(d, '/api/chat')).toHaveLength(1);
    expect(usage(d)).toEqual([{ model: 'gemma3:4b', kind: 'inference', success: 0, error_code: 'OLLAMA_OUTDATED' }]);
  });

  it('a recent or source-built Ollama is not outdated', async () => {
    const d = await daemon({ installed: [], emulator: { version: '0.0.0' } });
    expect((await d.req('GET', '/api/health')).body).toMatchObject({ status: 'ok', ollama: { version: '0.0.0', outdated: false, update_notice: null } });
  });
});

describe('errors mapped narrowly', () => {
  it('a runner failure that mentions "not found" is an Ollama error with its message, not an unknown model', async () => {
    const d = await daemon({ installed: ['gemma3:4b'] });
    const message = "llama runner process has terminated: error loading model: require_tensor_meta: tensor 'v.blk.0.attn_k.weight' not found";
    d.emu.fault('chat', { kind: 'status', status: 500, error: message });
    const r = await evaluate(d, { model: 'gemma3:4b' });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: 'OLLAMA_ERROR', error: `Ollama reported an error (HTTP 500): ${message}` });
  });
});

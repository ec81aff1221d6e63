import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cohensKappa, type Flag } from '../../daemon/compare/agreement.js';
import { CompareService, type CompareDeps } from '../../daemon/compare/service.js';
import { AppError } from '../../daemon/errors.js';
import { EventBus } from '../../daemon/events/bus.js';
import type { BusEvent } from '../../daemon/events/bus.js';
import { CalibrationsResponse, CompareListResponse, CompareResultsResponse, CompareRunResponse, type CompareModelResult } from '../../daemon/schemas/compare.js';
import { ServerEvent } from '../../daemon/schemas/events.js';
import { Store } from '../../daemon/store/store.js';
import { eyesAnswer } from '../emulator/eyes.js';
import { flagFor, perceivedQuality, perceivedSubjects } from '../emulator/index.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';

const FAITHFUL = 'gemma3:4b';
const CONTRARIAN = 'llava:7b';
const GENEROUS = 'qwen2.5vl:7b';
const BLIND = 'llama3.2:1b';
const EYES = { [FAITHFUL]: {}, [CONTRARIAN]: { invert: true }, [GENEROUS]: { shift: 1 } };

const dir = mkdtempSync(join(tmpdir(), 'junmai-compare-'));

/** Settings for a CompareService built by hand around a bare store. */
const SERVICE_CONFIG = { concurrency: 1, keepAlive: '30m', idleTimeoutMs: 1000, contextLength: 8192, maxImageBytes: 1 << 20 };

/** A real SQLite store in a folder of its own, closed and removed afterwards. */
async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'junmai-compare-store-'));
  const store = Store.open(dataDir);
  try {
    await body(store);
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
let seed = 100;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A photo the photographer judged exactly as a model with eyes sees it, keywords typed their own way. */
function judgedPhoto(inline = false) {
  const bytes = tinyJpeg(++seed);
  const base64 = bytes.toString('base64');
  const q = perceivedQuality(base64);
  const path = join(dir, `p${seed}.jpg`);
  writeFileSync(path, bytes);
  return {
    photo_id: `lr-${seed}`,
    ...(inline ? { image_base64: base64 } : { image_path: path }),
    rating: q,
    pick: flagFor(q),
    keywords: perceivedSubjects(base64).map((s) => `${s[0]?.toUpperCase()}${s.slice(1)}s`),
  };
}

/** Resolves with the first event of `type` for run `id` published on the daemon's bus (what /ws sends). */
function eventFor(t: TestDaemon, type: string, id: () => string | undefined, timeoutMs = 20_000): Promise<BusEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${type} within ${timeoutMs} ms`))), timeoutMs);
    const off = t.daemon.events.subscribe((e) => {
      if (e.type === type && (e.data.run as { id: string }).id === id()) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

const chats = (t: TestDaemon) => t.emu.requests.filter((r) => r.path === '/api/chat');
const chatModels = (t: TestDaemon) => chats(t).map((r) => (r.body as { model: string }).model);
const loads = (t: TestDaemon) =>
  t.emu.requests.filter((r) => r.path === '/api/generate' && (r.body as { prompt?: string }).prompt === '' && (r.body as { keep_alive?: unknown }).keep_alive !== '0');

describe('a comparison of three models on photos the photographer rated', () => {
  let t: TestDaemon;
  let db: Database.Database;
  let runId: string;
  let body: CompareResultsResponse;
  const events: BusEvent[] = [];
  const photos = Array.from({ length: 12 }, () => judgedPhoto());

  beforeAll(async () => {
    t = await startTestDaemon({ installed: [FAITHFUL, CONTRARIAN, GENEROUS, BLIND], emulator: { eyes: EYES } });
    expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
    db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
    t.daemon.events.subscribe((e) => e.type.startsWith('compare.') && events.push(e));
    const notAnImage = join(dir, 'notes.jpg');
    writeFileSync(notAnImage, 'not a photo');
    // One answer of the generous model is unusable twice: that failure is the model's.
    const broken = (photos[3] as { image_path: string }).image_path;
    const brokenBase64 = readFileSync(broken).toString('base64');
    t.emu.configure({ responder: (i) => (i.model === GENEROUS && i.images[0] === brokenBase64 ? '{"rating": "five"' : undefined) });

    const started = eventFor(t, 'compare.completed', () => runId);
    const r = await t.req('POST', '/api/compare', {
      body: {
        models: [CONTRARIAN, GENEROUS, FAITHFUL],
        photos: [...photos, { photo_id: 'missing', image_path: join(dir, 'gone.jpg'), rating: 3 }, { photo_id: 'text', image_path: notAnImage, rating: 4 }],
      },
    });
    expect(r.status).toBe(202);
    const run = CompareRunResponse.parse(r.body).run;
    runId = run.id;
    expect(run).toMatchObject({ status: 'queued', models: [CONTRARIAN, GENEROUS, FAITHFUL], photo_count: 14, progress: { done: 0, total: 42 } });
    await started;
    const g = await t.req('GET', `/api/compare/${runId}`);
    expect(g.status).toBe(200);
    body = CompareResultsResponse.parse(g.body);
  }, 60_000);
  afterAll(async () => {
    db.close();
    await t.close();
  });
  const result = (model: string) => body.results.find((m) => m.model === model) as CompareModelResult;

  it('ranks the model that sees like the photographer first and the contrarian last', () => {
    expect(body.run).toMatchObject({ status: 'completed', progress: { done: 42, total: 42 }, model_loads: 3, error: null, current_model: null });
    expect(body.results.map((m) => [m.model, m.rank])).toEqual([[FAITHFUL, 1], [GENEROUS, 2], [CONTRARIAN, 3]]);
    expect(result(FAITHFUL).rating).toEqual({ photos: 12, spearman: 1, interval_90: { low: 1, high: 1 } });
    expect(result(CONTRARIAN).rating.spearman).toBe(-1);
    // A model that only adds a star sorts the photos almost as the photographer does: 12 photos cannot tell it apart.
    expect(result(GENEROUS).rating.interval_90?.high).toBe(1);
    expect(body.sample_note).toBe(`With 12 rated photos, ${FAITHFUL} and ${GENEROUS} cannot be told apart: their 90% intervals for ρ overlap. Compare more rated photos to decide.`);
    expect(body.summary).toBe(`${FAITHFUL} leads on these photos, but they are too few to be sure.`);
  });

  it('measures picks and rejects and keywords after normalising case and plurals', () => {
    expect(result(FAITHFUL).flags).toEqual({ photos: 12, pick: { precision: 1, recall: 1 }, reject: { precision: 1, recall: 1 }, kappa: 1 });
    const truth = photos.map((p) => p.pick as Flag);
    const inverted = photos.map((p) => flagFor(6 - p.rating));
    expect(result(CONTRARIAN).flags.kappa).toBe(Number((cohensKappa(truth, inverted) as number).toFixed(3)));
    expect(result(CONTRARIAN).flags.kappa).toBeLessThan(0);
    expect(result(FAITHFUL).keywords).toEqual({ photos: 12, recall: 1, jaccard: 1 });
    expect(result(CONTRARIAN).keywords).toEqual({ photos: 12, recall: 0, jaccard: 0 });
  });

  it('counts unreadable photos as input failures and an unusable answer as the model’s', async () => {
    expect(result(FAITHFUL)).toMatchObject({ photos_done: 12, failures: { model: 0, input: 2 } });
    expect(result(GENEROUS)).toMatchObject({ photos_done: 11, failures: { model: 1, input: 2 } });
    const faults = db.prepare(`SELECT photo_id, model, error_code, fault FROM usage WHERE success = 0 ORDER BY model, photo_id`).all();
    expect(faults).toEqual([
      { photo_id: 'missing', model: FAITHFUL, error_code: 'IMAGE_NOT_FOUND', fault: 'caller' },
      { photo_id: 'text', model: FAITHFUL, error_code: 'UNSUPPORTED_IMAGE', fault: 'caller' },
      { photo_id: 'missing', model: CONTRARIAN, error_code: 'IMAGE_NOT_FOUND', fault: 'caller' },
      { photo_id: 'text', model: CONTRARIAN, error_code: 'UNSUPPORTED_IMAGE', fault: 'caller' },
      { photo_id: 'lr-104', model: GENEROUS, error_code: 'MODEL_OUTPUT_INVALID', fault: 'model' },
      { photo_id: 'missing', model: GENEROUS, error_code: 'IMAGE_NOT_FOUND', fault: 'caller' },
      { photo_id: 'text', model: GENEROUS, error_code: 'UNSUPPORTED_IMAGE', fault: 'caller' },
    ]);
    const stats = (await t.req('GET', `/api/model/statistics?model=${FAITHFUL}`)).body.statistics[FAITHFUL];
    expect(stats.success_rate).toBe(1);
  });

  it('runs one model at a time, loads each once, and reports its load and the memory /api/ps showed', async () => {
    const order = chatModels(t);
    expect(order).toEqual([...Array(12).fill(CONTRARIAN), ...Array(13).fill(GENEROUS), ...Array(12).fill(FAITHFUL)]);
    expect(loads(t).map((r) => (r.body as { model: string }).model)).toEqual([CONTRARIAN, GENEROUS, FAITHFUL]);
    const ps = (await (await fetch(`${t.emu.url}/api/ps`)).json()) as { models: Array<{ name: string; size: number; size_vram: number }> };
    for (const m of [FAITHFUL, CONTRARIAN, GENEROUS]) {
      const loaded = ps.models.find((x) => x.name === m);
      expect(result(m).memory).toEqual({ size_bytes: loaded?.size, vram_bytes: loaded?.size_vram });
      expect(result(m).speed.loads).toBe(1);
      expect(result(m).speed.load_seconds).toBeGreaterThanOrEqual(0);
      expect(result(m).speed.warm_p50_seconds).not.toBeNull();
      expect(result(m).speed.photos_per_minute).toBeGreaterThan(0);
    }
  });

  it('computes a completed run’s measures once and answers later reads from them', async () => {
    const reads = vi.spyOn(t.daemon.store.compare, 'results');
    try {
      const again = await t.req('GET', `/api/compare/${runId}`);
      expect(again.status).toBe(200);
      expect(CompareResultsResponse.parse(again.body)).toEqual(body);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('asks the model every time: a comparison never answers from the evaluation cache', () => {
    expect(db.prepare('SELECT count(*) FROM usage WHERE cache_hit = 1').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM evaluation_cache').pluck().get()).toBe(0);
  });

  it('reports progress over /ws in order and ends with compare.completed', () => {
    const mine = events.filter((e) => (e.data.run as { id: string }).id === runId);
    for (const e of mine) ServerEvent.parse(e);
    expect(mine.at(-1)?.type).toBe('compare.completed');
    const done = mine.map((e) => (e.data.run as { progress: { done: number } }).progress.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(42);
  });

  it('lists the run, and keeps its photos in SQLite', async () => {
    const list = CompareListResponse.parse((await t.req('GET', '/api/compare')).body);
    expect(list.runs.map((r) => [r.id, r.status])).toEqual([[runId, 'completed']]);
    expect(db.prepare('SELECT count(*) FROM compare_results WHERE run_id = ?').pluck().get(runId)).toBe(42);
  });

  it('learns the photographer’s stars for a model that gives one too many, and applies it only where it helps', async () => {
    const r = await t.req('POST', `/api/compare/${runId}/calibrate`, { body: {} });
    expect(r.status).toBe(200);
    const cal = CalibrationsResponse.parse(r.body).calibrations;
    const of = (m: string) => cal.find((c) => c.model === m);
    expect(of(GENEROUS)).toMatchObject({ applied: true, photos: 11 });
    expect(of(GENEROUS)?.after?.mae).toBeLessThan(of(GENEROUS)?.before?.mae as number);
    // Already the photographer's own stars: nothing to gain. A contrarian cannot be mapped onto them.
    expect(of(FAITHFUL)).toMatchObject({ applied: false, photos: 12, before: { spearman: 1, mae: 0 }, star_map: [1, 2, 3, 4, 5] });
    expect(of(CONTRARIAN)?.applied).toBe(false);

    const photo = judgedPhoto() as ReturnType<typeof judgedPhoto> & { image_path: string };
    const generous = await t.req('POST', '/api/evaluate', { body: { image_path: photo.image_path, model: GENEROUS } });
    expect(generous.status).toBe(200);
    const raw = Math.min(5, photo.rating + 1);
    expect(generous.body.result.rating_raw).toBe(raw);
    expect(generous.body.result.rating).toBe(of(GENEROUS)?.star_map?.[raw - 1]);
    const faithful = await t.req('POST', '/api/evaluate', { body: { image_path: photo.image_path, model: FAITHFUL } });
    expect(faithful.body.result.rating).toBe(photo.rating);
    expect('rating_raw' in faithful.body.result).toBe(false);

    expect((await t.req('GET', '/api/calibrations')).body.calibrations.map((c: { model: string; applied: boolean }) => [c.model, c.applied])).toEqual([
      [FAITHFUL, false], [CONTRARIAN, false], [GENEROUS, true],
    ]);
    expect((await t.req('DELETE', '/api/calibrations', { body: { model: GENEROUS } })).body).toEqual({ success: true, model: GENEROUS, removed: true });
    const after = await t.req('POST', '/api/evaluate', { body: { image_path: photo.image_path, model: GENEROUS } });
    expect(after.body.result.rating).toBe(raw);
    expect('rating_raw' in after.body.result).toBe(false);
  });

  it('recommends the model that agrees with the photographer, and says so', async () => {
    // For speed, the catalog alone would choose a small model made for speed; the photographer's stars outweigh that.
    const r = await t.req('POST', '/api/model/recommend', { body: { available_vram_gb: 24, priority: 'speed' } });
    expect(r.status).toBe(200);
    expect(r.body.recommended_model).toBe(FAITHFUL);
    expect(r.body.reasons[0]).toBe('agrees best with your ratings: ρ 1.00 on 12 photos');
    expect(r.body.alternatives[0].model).toBe(GENEROUS);
    expect(r.body.alternatives[0].reasons[0]).toBe('agrees with your ratings: ρ 0.99 on 11 photos');
    expect(r.body.alternatives.map((c: { model: string }) => c.model)).not.toContain(CONTRARIAN);
  });

  it('refuses what cannot be compared, with the reason', async () => {
    const photo = judgedPhoto();
    const post = (b: unknown) => t.req('POST', '/api/compare', { body: b });
    expect((await post({ models: [BLIND], photos: [photo] })).body).toMatchObject({ success: false, code: 'MODEL_NOT_VISION' });
    const notInstalled = await post({ models: ['gemma3:12b'], photos: [photo] });
    expect([notInstalled.status, notInstalled.body.code]).toEqual([409, 'MODEL_NOT_INSTALLED']);
    const twice = await post({ photos: [photo, photo] });
    expect([twice.status, twice.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(twice.body.error).toContain('give each photo its own photo_id');
    const both = await post({ photos: [{ ...photo, image_base64: 'AAAA' }] });
    expect([both.status, both.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(both.body.error).toBe('photos[0]: send exactly one of image_path and image_base64 for each photo.');
    const stars = await post({ photos: [{ ...photo, rating: 6 }] });
    expect([stars.status, stars.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const unknown = await t.req('GET', '/api/compare/nope');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'COMPARISON_NOT_FOUND']);
    const again = await t.req('POST', `/api/compare/${runId}/resume`, { body: {} });
    expect([again.status, again.body.code]).toEqual([409, 'COMPARISON_NOT_RESUMABLE']);
    expect(db.prepare('SELECT count(*) FROM compare_runs').pluck().get()).toBe(1);
  });

  it('compares every installed local vision model when none are named', async () => {
    const done = new Promise<BusEvent>((resolve) => {
      const off = t.daemon.events.subscribe((e) => e.type === 'compare.completed' && (off(), resolve(e)));
    });
    const r = await t.req('POST', '/api/compare', { body: { photos: [judgedPhoto()] } });
    expect(r.status).toBe(202);
    expect([...r.body.run.models].sort()).toEqual([FAITHFUL, CONTRARIAN, GENEROUS].sort());
    await done;
  });
});

describe('cancelling and restarting a comparison', () => {
  let t: TestDaemon;
  let db: Database.Database;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: [FAITHFUL, CONTRARIAN], emulator: { eyes: EYES, generateLatencyMs: 200 } });
    expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
    db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
  });
  afterAll(async () => {
    db.close();
    await t.close();
  });
  beforeEach(() => t.emu.clearFaults());
  const resultRows = (id: string) => db.prepare('SELECT count(*) FROM compare_results WHERE run_id = ?').pluck().get(id) as number;

  it('DELETE stops the run: no photo is sent after it answers, finished ones are kept, inline images are let go', async () => {
    let id: string | undefined;
    const progressed = eventFor(t, 'compare.progress', () => id);
    const cancelled = eventFor(t, 'compare.cancelled', () => id);
    const r = await t.req('POST', '/api/compare', { body: { models: [FAITHFUL], photos: Array.from({ length: 20 }, () => judgedPhoto(true)) } });
    id = r.body.run.id as string;
    await progressed;
    while (resultRows(id) < 1) await new Promise((res) => setTimeout(res, 20));
    const d = await t.req('DELETE', `/api/compare/${id}`, { body: {} });
    expect(d.status).toBe(200);
    expect(d.body.run.status).toBe('cancelled');
    const sent = chats(t).length;
    await cancelled;
    await t.daemon.compare.settled();
    await new Promise((res) => setTimeout(res, 300));
    expect(chats(t).length).toBe(sent);
    const kept = resultRows(id);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(20);
    const g = CompareResultsResponse.parse((await t.req('GET', `/api/compare/${id}`)).body);
    expect(g.run).toMatchObject({ status: 'cancelled', progress: { done: kept, total: 20 } });
    expect(g.results[0]?.photos_done).toBe(kept);
    expect(db.prepare('SELECT count(*) FROM compare_photos WHERE run_id = ? AND image_base64 IS NOT NULL').pluck().get(id)).toBe(0);
    expect((await t.req('DELETE', `/api/compare/${id}`, { body: {} })).body.run.status).toBe('cancelled');
    expect((await t.req('POST', `/api/compare/${id}/resume`, { body: {} })).body.code).toBe('COMPARISON_NOT_RESUMABLE');
    const cal = await t.req('POST', `/api/compare/${id}/calibrate`, { body: {} });
    expect([cal.status, cal.body.code]).toEqual([409, 'COMPARISON_NOT_COMPLETED']);
  }, 30_000);

  it('a restart mid-run leaves it interrupted; resume evaluates only the photos without an answer', async () => {
    let id: string | undefined;
    const interrupted = eventFor(t, 'compare.interrupted', () => id);
    const r = await t.req('POST', '/api/compare', { body: { models: [FAITHFUL, CONTRARIAN], photos: Array.from({ length: 6 }, () => judgedPhoto(true)) } });
    id = r.body.run.id as string;
    while (resultRows(id) < 2) await new Promise((res) => setTimeout(res, 20));
    await t.restart();
    await interrupted;
    const kept = resultRows(id);
    const before = CompareResultsResponse.parse((await t.req('GET', `/api/compare/${id}`)).body);
    expect(before.run).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' }, progress: { done: kept, total: 12 } });

    const sent = chats(t).length;
    const completed = eventFor(t, 'compare.completed', () => id);
    const resumed = await t.req('POST', `/api/compare/${id}/resume`, { body: {} });
    expect(resumed.status).toBe(202);
    expect(resumed.body.run.status).toBe('queued');
    await completed;
    expect(chats(t).length - sent).toBe(12 - kept);
    const after = CompareResultsResponse.parse((await t.req('GET', `/api/compare/${id}`)).body);
    expect(after.run).toMatchObject({ status: 'completed', progress: { done: 12, total: 12 } });
    expect(after.results.map((m) => [m.model, m.rank, m.photos_done, m.rating.spearman])).toEqual([[FAITHFUL, 1, 6, 1], [CONTRARIAN, 2, 6, -1]]);
    // The model cut off by the restart is loaded afresh when the run resumes, so its load is measured again.
    expect(after.results.map((m) => m.speed.loads)).toEqual([2, 1]);
    expect(after.run.model_loads).toBe(3);
  }, 40_000);

  it('fails, resumably, when Ollama goes away mid-run', async () => {
    let id: string | undefined;
    const failed = eventFor(t, 'compare.failed', () => id);
    const r = await t.req('POST', '/api/compare', { body: { models: [FAITHFUL], photos: Array.from({ length: 6 }, () => judgedPhoto()) } });
    id = r.body.run.id as string;
    while (resultRows(id) < 1) await new Promise((res) => setTimeout(res, 20));
    await t.emu.stop();
    await failed;
    const g = CompareResultsResponse.parse((await t.req('GET', `/api/compare/${id}`)).body);
    expect(g.run.status).toBe('failed');
    expect(g.run.error?.code).toBe('OLLAMA_UNREACHABLE');
    expect(g.results[0]?.failures).toEqual({ model: 0, input: 0 });
    await t.emu.start();
    const completed = eventFor(t, 'compare.completed', () => id);
    expect((await t.req('POST', `/api/compare/${id}/resume`, { body: {} })).status).toBe(202);
    await completed;
    expect(resultRows(id)).toBe(6);
  }, 40_000);
});

describe('a daemon that died mid-run', () => {
  it('finds the run interrupted at its next start, its finished photos kept', async () => {
    await withStore(async (store) => {
      const photo = { idx: 0, photo_id: 'a', image_path: '/x/a.jpg', image_base64: null, rating: 3, pick: null, keywords: null };
      store.compare.create({ id: 'run-1', status: 'running', options: {}, photo_count: 2, created_at: new Date(0).toISOString() }, [photo, { ...photo, idx: 1, photo_id: 'b' }], [FAITHFUL]);
      store.compare.addResult('run-1', { model: FAITHFUL, idx: 0, success: true, fault: null, error_code: null, rating: 3, flag: 'none', keywords: [], duration_ms: 900, load_ms: 12 });
      const service = new CompareService({
        store, events: new EventBus(), clock: { now: () => new Date(1000) }, config: SERVICE_CONFIG,
        gateway: {} as CompareDeps['gateway'], evaluation: {} as CompareDeps['evaluation'], sync: async () => undefined,
      });
      expect(service.recoverInterrupted()).toBe(1);
      expect(store.compare.get('run-1')).toMatchObject({ status: 'interrupted', error_code: 'INTERRUPTED', finished_at: new Date(1000).toISOString() });
      expect(service.results('run-1').run.progress).toEqual({ done: 1, total: 2 });
      expect(service.recoverInterrupted()).toBe(0);
    });
  });
});

describe('progress events', () => {
  it('come at most 4 a second per run as photos finish, and the final state always follows', async () => {
    await withStore(async (store) => {
      const events = new EventBus();
      let nowMs = 0;
      const evaluate = (async (req: { photo_id?: string }) => {
        nowMs += 100; // every photo takes 100 ms on this clock: 10 photos, 1 s
        return { success: true, photo_id: req.photo_id ?? null, model: FAITHFUL, result: { rating: 3, flag: 'none', keywords: [] }, cache_hit: false, attempts: 1, prompt_version: 1,
          image: { format: 'jpeg', bytes: 1, sha256: 'x' }, timings: { daemon_ms: 100, queue_ms: 0, total_ms: 100, load_ms: 10, prompt_eval_ms: 50, eval_ms: 40, prompt_tokens: 1, eval_tokens: 1 } };
      }) as unknown as CompareDeps['evaluation']['evaluate'];
      const service = new CompareService({
        store, events, clock: { now: () => new Date(nowMs) }, config: SERVICE_CONFIG,
        gateway: { ps: async () => [], load: async () => ({ totalNs: undefined, loadNs: 5e8, promptEvalNs: undefined, evalNs: undefined, promptTokens: undefined, evalTokens: undefined }) },
        evaluation: { evaluate }, sync: async () => undefined,
      });
      const seen: string[] = [];
      events.subscribe((e) => seen.push(`${e.type}:${(e.data.run as { progress: { done: number } }).progress.done}`));
      const photos = Array.from({ length: 10 }, (_, i) => ({ photo_id: `p${i}`, image_path: `/x/p${i}.jpg`, rating: 3 }));
      store.compare.create({ id: 'r', status: 'queued', options: {}, photo_count: 10, created_at: new Date(0).toISOString() },
        photos.map((p, idx) => ({ idx, photo_id: p.photo_id, image_path: p.image_path, image_base64: null, rating: 3, pick: null, keywords: null })), [FAITHFUL]);
      // Queued as a resume would queue it: the bare store has no installed model for start() to accept.
      store.compare.setStatus('r', 'interrupted', new Date(0));
      service.resume('r');
      await service.settled();
      // Running, the model's turn, then photos 1, 4, 7 and 10 (250 ms apart on a 100 ms-per-photo clock), then the end.
      expect(seen).toEqual(['compare.progress:0', 'compare.progress:0', 'compare.progress:1', 'compare.progress:4', 'compare.progress:7', 'compare.progress:10', 'compare.completed:10']);
    });
  });
});

describe('a model already in memory', () => {
  it('is loaded for the run only once Ollama has let go of it: its unload answers before the runner stops', async () => {
    await withStore(async (store) => {
      const log: string[] = [];
      // As Ollama does (server/sched.go, expireRunner): the unload answers at once, /api/ps lists the runner a little longer.
      let listedFor = Infinity;
      const gateway: CompareDeps['gateway'] = {
        ps: async () => {
          const listed = listedFor-- > 0;
          log.push(`ps:${listed ? 'loaded' : 'gone'}`);
          return listed ? [{ name: FAITHFUL, size: 1, sizeVram: 1, expiresAt: undefined }] : [];
        },
        load: async (_model, o) => {
          log.push(o.keepAlive === 0 ? 'unload' : 'load');
          if (o.keepAlive === 0) listedFor = 2;
          return { totalNs: undefined, loadNs: undefined, promptEvalNs: undefined, evalNs: undefined, promptTokens: undefined, evalTokens: undefined };
        },
      };
      const evaluate = (async () => ({
        success: true, photo_id: 'p0', model: FAITHFUL, result: { rating: 3 }, cache_hit: false, attempts: 1, prompt_version: 1, image: { format: 'jpeg', bytes: 1, sha256: 'x' },
        timings: { daemon_ms: 100, queue_ms: 0, total_ms: 100, load_ms: 10, prompt_eval_ms: 50, eval_ms: 40, prompt_tokens: 1, eval_tokens: 1 },
      })) as unknown as CompareDeps['evaluation']['evaluate'];
      const service = new CompareService({
        store, events: new EventBus(), clock: { now: () => new Date(0) }, config: SERVICE_CONFIG,
        gateway, evaluation: { evaluate }, sync: async () => undefined,
      });
      store.compare.create({ id: 'r', status: 'interrupted', options: {}, photo_count: 1, created_at: new Date(0).toISOString() },
        [{ idx: 0, photo_id: 'p0', image_path: '/x/p0.jpg', image_base64: null, rating: 3, pick: null, keywords: null }], [FAITHFUL]);
      service.resume('r');
      await service.settled();
      expect(log).toEqual(['ps:loaded', 'unload', 'ps:loaded', 'ps:loaded', 'ps:gone', 'load', 'ps:gone']);
      expect(store.compare.models('r')[0]).toMatchObject({ status: 'done', loads: 1 });
    });
  });
});

describe('an inline image over the size limit', () => {
  it('is refused before the run is stored, naming the photo; one just at the limit goes through', async () => {
    await withStore(async (store) => {
      const max = 3000;
      const service = new CompareService({
        store, events: new EventBus(), clock: { now: () => new Date(0) }, config: { ...SERVICE_CONFIG, maxImageBytes: max },
        gateway: {} as CompareDeps['gateway'], evaluation: {} as CompareDeps['evaluation'], sync: async () => undefined,
      });
      const jpeg = (bytes: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(bytes - 4, 7)]).toString('base64');
      const refused = await service.start({ photos: [{ photo_id: 'small', image_base64: jpeg(100) }, { photo_id: 'huge', image_base64: jpeg(max + 1) }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'IMAGE_TOO_LARGE', status: 413, details: { photo_id: 'huge', bytes: max + 1, max_bytes: max } });
      expect((refused as AppError).message).toMatch(/^Photo huge: The image is 0\.0 MB; the limit is 0\.0 MB\./);
      expect(store.compare.list(10)).toEqual([]);
      // Exactly at the limit, in a data URL wrapped at 76 characters: longer text than 4/3 of the limit, yet not too large.
      const wrapped = `data:image/jpeg;base64,${(jpeg(max).match(/.{1,76}/g) as string[]).join('\n')}`;
      expect(wrapped.length * 3 / 4).toBeGreaterThan(max);
      await expect(service.start({ photos: [{ photo_id: 'edge', image_base64: wrapped }] })).rejects.toMatchObject({ code: 'NO_VISION_MODELS' });
    });
  });
});

describe('the emulator’s eyes', () => {
  it('keep to the schema as Ollama’s grammar does: no more keywords than maxItems', () => {
    const image = tinyJpeg(7).toString('base64');
    const format = { type: 'object', properties: { rating: { type: 'integer' }, keywords: { type: 'array', items: { type: 'string' }, maxItems: 1 } }, required: ['rating', 'keywords'] };
    const answer = JSON.parse(eyesAnswer({ route: 'chat', model: FAITHFUL, prompt: '', messages: [], images: [image], format, options: {} }, EYES) as string);
    expect(answer).toEqual({ rating: perceivedQuality(image), keywords: perceivedSubjects(image).slice(0, 1) });
  });
});

import Database from 'better-sqlite3';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EvaluateResponse } from '../../daemon/schemas/evaluate.js';
import { StatisticsResponse } from '../../daemon/schemas/api.js';
import { tinyJpeg, tinyPng } from '../support/images.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

/** Mode 0200 on Linux: writing asks the kernel to drop its caches, and nobody may read it. */
const WRITE_ONLY_SYSCTL = '/proc/sys/vm/drop_caches';

const MAX_IMAGE = 64 * 1024;

interface UsageRow {
  id: number;
  model: string;
  photo_id: string | null;
  kind: string;
  success: number;
  error_code: string | null;
  cache_hit: number;
  duration_ms: number;
  queue_ms: number | null;
  total_ms: number | null;
  load_ms: number | null;
  prompt_eval_ms: number | null;
  eval_ms: number | null;
  prompt_tokens: number | null;
  eval_tokens: number | null;
  client_ms: number | null;
}

let t: TestDaemon;
let dir: string;
let db: Database.Database;
let seed = 0;

/** A fresh image file: a new seed gives new bytes, so no two calls share a cache entry unless meant to. */
function jpegFile(name = `photo-${++seed}.jpg`, bytes = tinyJpeg(seed)): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const evaluate = (body: Record<string, unknown>) => t.req('POST', '/api/evaluate', { body });
const rowsAfter = (id: number) => db.prepare<[number], UsageRow>('SELECT * FROM usage WHERE id > ? ORDER BY id').all(id);
const lastId = () => (db.prepare('SELECT coalesce(max(id), 0) FROM usage').pluck().get() as number);
const chats = () => t.emu.requests.filter((r) => r.path === '/api/chat');
const stats = async (model = 'gemma3:4b') => StatisticsResponse.parse((await t.req('GET', `/api/model/statistics?model=${model}`)).body).statistics[model];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-eval-'));
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.2:1b'], env: { JUNMAI_EVAL_MAX_IMAGE_BYTES: String(MAX_IMAGE) } });
  expect((await t.req('POST', '/api/model/sync', { body: {} })).status).toBe(200);
  db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
});
afterAll(async () => {
  db.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  t.emu.clearFaults();
  t.emu.configure({ responder: () => undefined });
});

describe('POST /api/evaluate before a model is chosen', () => {
  it('answers 400 NO_CURRENT_MODEL and writes no usage row', async () => {
    const before = lastId();
    const r = await evaluate({ image_path: jpegFile() });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'NO_CURRENT_MODEL' });
    expect(rowsAfter(before)).toEqual([]);
  });
});

describe('POST /api/evaluate', () => {
  beforeAll(async () => {
    expect((await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } })).status).toBe(200);
    await t.daemon.warmup.settled();
  });

  it('evaluates a JPEG by path with every field and Ollama\'s timings, and writes one usage row', async () => {
    const before = lastId();
    const chatsBefore = chats().length;
    const path = jpegFile();
    const r = await evaluate({ image_path: path, photo_id: 'cat-1/IMG_0001' });
    expect(r.status, r.text).toBe(200);
    const body = EvaluateResponse.parse(r.body);
    expect(body).toMatchObject({ photo_id: 'cat-1/IMG_0001', model: 'gemma3:4b', cache_hit: false, attempts: 1, image: { format: 'jpeg', bytes: tinyJpeg(seed).length } });
    expect(Object.keys(body.result).sort()).toEqual(['caption', 'flag', 'keywords', 'keywords_new', 'rating', 'reasons', 'title']);
    expect(body.result.rating).toBeGreaterThanOrEqual(1);
    expect(body.result.rating).toBeLessThanOrEqual(5);
    expect(['pick', 'reject', 'none']).toContain(body.result.flag);
    expect(body.result.keywords?.length).toBeLessThanOrEqual(10);
    const tm = body.timings;
    for (const k of ['total_ms', 'load_ms', 'prompt_eval_ms', 'eval_ms', 'prompt_tokens', 'eval_tokens'] as const) expect(tm[k], k).toBeGreaterThan(0);
    expect(tm.daemon_ms).toBeGreaterThan(0);
    expect(tm.total_ms as number).toBeGreaterThanOrEqual((tm.load_ms as number) + (tm.eval_ms as number) - 1);

    // What went to Ollama: the file's bytes, a JSON schema, the keep-alive, exactly one call.
    expect(chats().length - chatsBefore).toBe(1);
    const sent = chats().at(-1)?.body as { model: string; stream: boolean; keep_alive: string; format: { properties: Record<string, unknown>; required: string[] }; messages: { role: string; images?: string[] }[] };
    expect(sent).toMatchObject({ model: 'gemma3:4b', stream: true, keep_alive: '30m' });
    expect(sent.format.required.sort()).toEqual(['caption', 'flag', 'keywords', 'rating', 'reasons', 'title']);
    expect(sent.format.properties.rating).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    expect(sent.messages.find((m) => m.role === 'user')?.images).toEqual([tinyJpeg(seed).toString('base64')]);

    const rows = rowsAfter(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      model: 'gemma3:4b', photo_id: 'cat-1/IMG_0001', kind: 'inference', success: 1, error_code: null, cache_hit: 0,
      total_ms: tm.total_ms, load_ms: tm.load_ms, prompt_eval_ms: tm.prompt_eval_ms, eval_ms: tm.eval_ms, prompt_tokens: tm.prompt_tokens, eval_tokens: tm.eval_tokens,
    });
    expect(rows[0]?.duration_ms).toBeGreaterThan(0);
    expect(rows[0]?.duration_ms).toBeLessThanOrEqual(tm.daemon_ms);
  });

  it('takes a base64 PNG (data URL too) and asks only for the fields requested', async () => {
    const png = tinyPng(++seed);
    const r = await evaluate({ image_base64: `data:image/png;base64,${png.toString('base64')}`, fields: ['rating', 'flag'], options: { cache: false } });
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.body.result).sort()).toEqual(['flag', 'rating']);
    expect(r.body.image).toMatchObject({ format: 'png', bytes: png.length });
    const sent = chats().at(-1)?.body as { format: { required: string[] }; messages: { images?: string[] }[] };
    expect(sent.format.required.sort()).toEqual(['flag', 'rating']);
    expect(sent.messages.at(-1)?.images).toEqual([png.toString('base64')]);
  });

  it('honours max_keywords in the schema sent to Ollama and in the answer', async () => {
    const r = await evaluate({ image_path: jpegFile(), fields: ['keywords'], options: { max_keywords: 3 } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.result.keywords.length).toBeLessThanOrEqual(3);
    expect((chats().at(-1)?.body as { format: { properties: { keywords: { maxItems: number } } } }).format.properties.keywords.maxItems).toBe(3);
  });

  it('refuses a model that cannot see (400 MODEL_NOT_VISION) or is not installed (409), without a row or a call to Ollama', async () => {
    const before = lastId();
    const chatsBefore = chats().length;
    const path = jpegFile();
    const notVision = await evaluate({ image_path: path, model: 'llama3.2:1b' });
    expect(notVision.status).toBe(400);
    expect(notVision.body.code).toBe('MODEL_NOT_VISION');
    const notInstalled = await evaluate({ image_path: path, model: 'gemma3:27b' });
    expect(notInstalled.status).toBe(409);
    expect(notInstalled.body.code).toBe('MODEL_NOT_INSTALLED');
    const badName = await evaluate({ image_path: path, model: '../../etc/passwd' });
    expect(badName.body.code).toBe('INVALID_MODEL_NAME');
    expect(rowsAfter(before)).toEqual([]);
    expect(chats().length).toBe(chatsBefore);
  });

  describe('refuses what is not an image, before anything is sent anywhere', () => {
    const SECRET = 'password=hunter2 do-not-echo';

    it.each<[string, () => string, number, string]>([
      ['a missing file', () => join(dir, 'nope', 'missing.jpg'), 400, 'IMAGE_NOT_FOUND'],
      ['a text file renamed .jpg', () => jpegFile('notes.jpg', Buffer.from(`${SECRET}\n`.repeat(20))), 400, 'UNSUPPORTED_IMAGE'],
      ['an empty file', () => jpegFile('empty.jpg', Buffer.alloc(0)), 400, 'UNSUPPORTED_IMAGE'],
      ['a PDF renamed .png', () => jpegFile('doc.png', Buffer.from('%PDF-1.7\n' + SECRET)), 400, 'UNSUPPORTED_IMAGE'],
      ['a directory', () => {
        const folder = join(dir, `folder-${++seed}.jpg`);
        mkdirSync(folder);
        return folder;
      }, 400, 'UNSUPPORTED_IMAGE'],
      ['a file over the size limit', () => jpegFile('huge.jpg', Buffer.concat([tinyJpeg(1), Buffer.alloc(MAX_IMAGE)])), 413, 'IMAGE_TOO_LARGE'],
      // Unix paths: on Windows there is no /etc/passwd or /dev/zero to point at.
      ...(process.platform === 'win32' ? [] : [
        ['/etc/passwd', () => '/etc/passwd', 400, 'UNSUPPORTED_IMAGE'],
        ['a character device', () => '/dev/zero', 400, 'UNSUPPORTED_IMAGE'],
      ] satisfies Array<[string, () => string, number, string]>),
    ])('%s', async (_what, makePath, status, code) => {
      const before = lastId();
      const chatsBefore = chats().length;
      const r = await evaluate({ image_path: makePath(), photo_id: 'refused' });
      expect(r.status, r.text).toBe(status);
      expect(r.body).toMatchObject({ success: false, code });
      expect(r.text).not.toContain('hunter2');
      expect(r.text).not.toContain('root:');
      expect(chats().length).toBe(chatsBefore);
      // The model was settled on, so the refusal is an evaluation that failed: one row, with its code.
      expect(rowsAfter(before)).toMatchObject([{ photo_id: 'refused', success: 0, error_code: code, kind: 'inference', total_ms: null }]);
    });

    it.skipIf(process.platform === 'win32')('a FIFO, without waiting for a writer (no mkfifo on Windows)', async () => {
      const fifo = join(dir, 'pipe.jpg');
      execFileSync('mkfifo', [fifo]);
      const r = await evaluate({ image_path: fifo });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('UNSUPPORTED_IMAGE');
    });

    // Root reads any file whatever its mode (CI runs as root), and Windows has no such modes.
    it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('a file it may not read (not as root, not on Windows)', async () => {
      const path = jpegFile();
      chmodSync(path, 0o000);
      const r = await evaluate({ image_path: path });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('IMAGE_UNREADABLE');
      expect(r.body.error).toBe('The daemon is not allowed to read that image file. Check its permissions.');
    });

    // The same refusal where CI runs: a write-only sysctl refuses reading even to root (Linux procfs
    // checks its own mode bits, proc_sys_permission), so opening it fails with EACCES for anyone.
    it.runIf(existsSync(WRITE_ONLY_SYSCTL))('a file no one may read, root included (Linux)', async () => {
      const before = lastId();
      const r = await evaluate({ image_path: WRITE_ONLY_SYSCTL, photo_id: 'unreadable' });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ success: false, code: 'IMAGE_UNREADABLE', error: 'The daemon is not allowed to read that image file. Check its permissions.' });
      expect(rowsAfter(before)).toMatchObject([{ photo_id: 'unreadable', success: 0, error_code: 'IMAGE_UNREADABLE' }]);
    });

    it.each([
      ['a relative path', 'photos/IMG_0001.jpg'],
      ['a traversal', '../../../../etc/passwd'],
      ['an absolute path with ..', '/tmp/../etc/passwd'],
      ['a NUL byte', '/tmp/x.jpg\u0000.txt'],
      ['an empty path', ''],
    ])('%s in image_path: 400 INVALID_REQUEST naming the field, no row', async (_what, path) => {
      const before = lastId();
      const r = await evaluate({ image_path: path });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('INVALID_REQUEST');
      expect(r.body.error).toMatch(/image_path/);
      expect(rowsAfter(before)).toEqual([]);
    });

    it.each([
      ['neither image_path nor image_base64', {}],
      ['both', { image_path: '/tmp/a.jpg', image_base64: 'AAAA' }],
      ['an unknown field', { image_path: '/tmp/a.jpg', fields: ['mood'] }],
    ])('%s: 400 INVALID_REQUEST', async (_what, body) => {
      const r = await evaluate(body);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('INVALID_REQUEST');
    });

    it('base64 that is not base64, or not an image, or too large', async () => {
      expect((await evaluate({ image_base64: 'this is not base64!' })).body.code).toBe('IMAGE_UNREADABLE');
      const text = await evaluate({ image_base64: Buffer.from(SECRET).toString('base64') });
      expect(text.body.code).toBe('UNSUPPORTED_IMAGE');
      expect(text.text).not.toContain('hunter2');
      // Just over the limit: inside the route's body limit, refused after counting the bytes.
      const over = await evaluate({ image_base64: Buffer.concat([tinyJpeg(2), Buffer.alloc(MAX_IMAGE)]).toString('base64') });
      expect(over.status).toBe(413);
      expect(over.body.code).toBe('IMAGE_TOO_LARGE');
      // Far over: refused by the route's body limit, with the same code.
      const far = await evaluate({ image_base64: Buffer.alloc(MAX_IMAGE * 3).toString('base64') });
      expect(far.status).toBe(413);
      expect(far.body.code).toBe('IMAGE_TOO_LARGE');
    });

    it('lets a base64 image up to the limit through, beyond the daemon-wide body limit for other routes', async () => {
      // The other routes keep their small limit; this one is sized from JUNMAI_EVAL_MAX_IMAGE_BYTES.
      const big = Buffer.concat([tinyJpeg(++seed), Buffer.alloc(MAX_IMAGE - 200)]);
      const r = await evaluate({ image_base64: big.toString('base64'), fields: ['rating'] });
      expect(r.status, r.text).toBe(200);
      expect(r.body.image.bytes).toBe(big.length);
    });
  });

  it('a batch where Ollama fails one photo: that photo fails with a clear code, the rest succeed, the rows say exactly that', async () => {
    const before = lastId();
    const outcomes: { status: number; code?: string }[] = [];
    for (let i = 1; i <= 6; i++) {
      if (i === 3) t.emu.fault('chat', { kind: 'status', status: 500, error: 'llama runner process has terminated', times: 1 });
      if (i === 5) t.emu.fault('chat', { kind: 'errorLine', afterLines: 4, error: 'an error was encountered while running the model', times: 1 });
      const r = await evaluate({ image_path: jpegFile(), photo_id: `batch-${i}` });
      outcomes.push({ status: r.status, ...(r.body.code ? { code: r.body.code } : {}) });
      if (r.status !== 200) {
        expect(r.body.error).toMatch(/Ollama reported an error/);
        expect(r.body.details).toMatchObject({ model: 'gemma3:4b', photo_id: `batch-${i}` });
      }
    }
    expect(outcomes).toEqual([
      { status: 200 }, { status: 200 }, { status: 502, code: 'OLLAMA_ERROR' }, { status: 200 }, { status: 502, code: 'OLLAMA_ERROR' }, { status: 200 },
    ]);
    const rows = rowsAfter(before);
    expect(rows.map((r) => [r.photo_id, r.success, r.error_code])).toEqual([
      ['batch-1', 1, null], ['batch-2', 1, null], ['batch-3', 0, 'OLLAMA_ERROR'], ['batch-4', 1, null], ['batch-5', 0, 'OLLAMA_ERROR'], ['batch-6', 1, null],
    ]);
    for (const r of rows.filter((x) => x.success === 1)) expect(r.eval_tokens).toBeGreaterThan(0);
    expect(rows[2]).toMatchObject({ total_ms: null, eval_tokens: null });
  });

  it.each([
    ['ends the stream early', { kind: 'endWithoutSuccess', afterLines: 3 } as const, 502, 'OLLAMA_ERROR', /before its answer was complete/],
    ['cuts the connection', { kind: 'cut', afterLines: 3 } as const, 503, 'OLLAMA_UNREACHABLE', /connection to Ollama .* was lost/],
    ['sends half a line', { kind: 'malformed', afterLines: 3 } as const, 502, 'OLLAMA_ERROR', /before its answer was complete/],
  ])('Ollama %s: a clear code, and the failure is recorded', async (_what, fault, status, code, sentence) => {
    const before = lastId();
    t.emu.fault('chat', { ...fault, times: 1 });
    const r = await evaluate({ image_path: jpegFile(), photo_id: 'broken-stream' });
    expect(r.status, r.text).toBe(status);
    expect(r.body.code).toBe(code);
    expect(r.body.error).toMatch(sentence);
    expect(rowsAfter(before)).toMatchObject([{ photo_id: 'broken-stream', success: 0, error_code: code }]);
  });

  it('Ollama down: 503 OLLAMA_UNREACHABLE, and the failure is recorded', async () => {
    const before = lastId();
    await t.emu.stop();
    try {
      const r = await evaluate({ image_path: jpegFile(), photo_id: 'down' });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('OLLAMA_UNREACHABLE');
    } finally {
      await t.emu.start();
    }
    expect(rowsAfter(before)).toMatchObject([{ photo_id: 'down', success: 0, error_code: 'OLLAMA_UNREACHABLE' }]);
  });

  describe('malformed model output', () => {
    it('retries once with the problem named, and succeeds when the second answer is valid', async () => {
      let calls = 0;
      t.emu.configure({ responder: () => (++calls === 1 ? JSON.stringify({ rating: 9, flag: 'maybe' }) : undefined) });
      const before = lastId();
      const chatsBefore = chats().length;
      const r = await evaluate({ image_path: jpegFile(), photo_id: 'retry-ok', options: { cache: false } });
      expect(r.status, r.text).toBe(200);
      expect(r.body.attempts).toBe(2);
      const sent = chats().slice(chatsBefore);
      expect(sent).toHaveLength(2);
      const lastUser = (b: unknown) => ((b as { messages: { role: string; content: string }[] }).messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
      expect(lastUser(sent[0]?.body)).not.toMatch(/previous answer/);
      expect(lastUser(sent[1]?.body)).toMatch(/previous answer could not be used \(.*rating/);
      // One photo, one row, with both attempts' tokens.
      const rows = rowsAfter(before);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ photo_id: 'retry-ok', success: 1 });
    });

    it.each([
      ['not JSON', () => 'I think this photo is lovely, 4 stars.'],
      ['JSON that breaks the schema', () => JSON.stringify({ rating: 0, flag: 'pick', keywords: [], caption: 'x', title: 'y', reasons: ['z'] })],
      ['an empty answer', () => ''],
    ])('%s twice: 502 MODEL_OUTPUT_INVALID after exactly two calls', async (_what, responder) => {
      t.emu.configure({ responder });
      const before = lastId();
      const chatsBefore = chats().length;
      const r = await evaluate({ image_path: jpegFile(), photo_id: 'bad-output' });
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ success: false, code: 'MODEL_OUTPUT_INVALID' });
      expect(chats().length - chatsBefore).toBe(2);
      const rows = rowsAfter(before);
      expect(rows).toMatchObject([{ photo_id: 'bad-output', success: 0, error_code: 'MODEL_OUTPUT_INVALID' }]);
      // Ollama did the work twice; the row keeps its cost.
      expect(rows[0]?.prompt_tokens).toBeGreaterThan(0);
      expect(rows[0]?.total_ms).toBeGreaterThan(0);
    });
  });

  describe('result cache', () => {
    it('answers a repeated evaluation without calling the model, and the row says so', async () => {
      const path = jpegFile();
      const first = await evaluate({ image_path: path, photo_id: 'cache-1' });
      expect(first.status).toBe(200);
      expect(first.body.cache_hit).toBe(false);
      const before = lastId();
      const chatsBefore = chats().length;
      // Same bytes under another name: the key is the content, not the path.
      const copy = jpegFile('copy.jpg', tinyJpeg(seed));
      const second = await evaluate({ image_path: copy, photo_id: 'cache-1' });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ cache_hit: true, attempts: 0, result: first.body.result });
      expect(second.body.timings).toMatchObject({ total_ms: null, load_ms: null, eval_tokens: null });
      expect(chats().length).toBe(chatsBefore);
      expect(rowsAfter(before)).toMatchObject([{ photo_id: 'cache-1', success: 1, cache_hit: 1, total_ms: null }]);

      // Off on request; and a different question (fields) is a different entry.
      expect((await evaluate({ image_path: path, options: { cache: false } })).body.cache_hit).toBe(false);
      expect((await evaluate({ image_path: path, fields: ['rating'] })).body.cache_hit).toBe(false);
      expect(chats().length).toBe(chatsBefore + 2);
    });

    it('a cache hit counts as a photo but stays out of the durations', async () => {
      const s0 = await stats();
      const path = jpegFile();
      await evaluate({ image_path: path });
      await evaluate({ image_path: path });
      const s1 = await stats();
      expect(s1?.count).toBe((s0?.count ?? 0) + 2);
      expect(s1?.cache_hits).toBe((s0?.cache_hits ?? 0) + 1);
      const timed = db.prepare("SELECT count(*) FROM usage WHERE model = 'gemma3:4b' AND kind = 'inference' AND cache_hit = 0 AND success = 1").pluck().get() as number;
      const sum = db.prepare("SELECT sum(duration_ms) FROM usage WHERE model = 'gemma3:4b' AND kind = 'inference' AND cache_hit = 0 AND success = 1").pluck().get() as number;
      expect(s1?.mean_ms).toBeCloseTo(sum / timed, 0);
    });
  });

  it('uses the current model when none is named', async () => {
    const r = await evaluate({ image_path: jpegFile(), fields: ['title'] });
    expect(r.status).toBe(200);
    expect(r.body.model).toBe('gemma3:4b');
  });

  describe('client_ms from the plugin (POST /api/model/usage)', () => {
    it('fills in the daemon\'s row for the same model and photo instead of adding one', async () => {
      const r = await evaluate({ image_path: jpegFile(), photo_id: 'merge-1' });
      expect(r.status).toBe(200);
      const before = lastId();
      const report = await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', photo_id: 'merge-1', duration_ms: 1500, success: true, client_ms: 1500 } });
      expect(report.body).toEqual({ success: true, recorded: 1 });
      expect(rowsAfter(before)).toEqual([]);
      expect(db.prepare("SELECT client_ms FROM usage WHERE photo_id = 'merge-1'").pluck().all()).toEqual([1500]);
      // A second report finds no row without client_ms, so it is a row of its own.
      await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', photo_id: 'merge-1', duration_ms: 900, success: true, client_ms: 900 } });
      expect(rowsAfter(before)).toMatchObject([{ photo_id: 'merge-1', client_ms: 900, duration_ms: 900 }]);
      const totals = db.prepare("SELECT client_count, client_ms_sum FROM usage_totals WHERE model = 'gemma3:4b'").get() as { client_count: number; client_ms_sum: number };
      const truth = db.prepare("SELECT count(client_ms) AS n, total(client_ms) AS s FROM usage WHERE model = 'gemma3:4b' AND kind = 'inference'").get() as { n: number; s: number };
      expect(totals).toEqual({ client_count: truth.n, client_ms_sum: truth.s });
      expect((await stats())?.mean_client_ms).toBe(Math.round((truth.s / truth.n) * 10) / 10);
    });

    it('a report for a photo the daemon never saw is stored as before', async () => {
      const before = lastId();
      await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', photo_id: 'elsewhere', duration_ms: 700, success: true, client_ms: 750 } });
      expect(rowsAfter(before)).toMatchObject([{ photo_id: 'elsewhere', client_ms: 750, kind: 'inference' }]);
    });
  });

  it('keeps usage_totals equal to the rows they summarise', () => {
    const totals = db.prepare("SELECT count, successes, cache_hits, timed_successes, warmups FROM usage_totals WHERE model = 'gemma3:4b'").get();
    const truth = db
      .prepare(
        `SELECT sum(kind = 'inference') AS count, sum(kind = 'inference' AND success = 1) AS successes, sum(kind = 'inference' AND cache_hit = 1) AS cache_hits,
                sum(kind = 'inference' AND cache_hit = 0 AND success = 1) AS timed_successes, sum(kind = 'warmup') AS warmups
         FROM usage WHERE model = 'gemma3:4b'`,
      )
      .get();
    expect(totals).toEqual(truth);
  });

  it('never answers 5xx or leaks internals, whatever the body', async () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('/', '/dev/stdin', '/proc/self/environ', '/proc/self/mem', '/etc', '/etc/shadow', '\\\\server\\share\\x.jpg', 'C:\\x.jpg', '%2e%2e/x', 'data:image/png;base64,', '===='),
      fc.string({ maxLength: 80 }),
    );
    const body = fc.dictionary(fc.constantFrom('image_path', 'image_base64', 'photo_id', 'model', 'fields', 'options'), value, { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const r = await evaluate(b);
        expect(r.status, JSON.stringify(b)).toBeLessThan(500);
        expect(r.text).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|SqliteError|TypeError/);
      }),
      { numRuns: 150 },
    );
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.req('GET', '/docs/json')).body;
    expect(doc.paths['/api/evaluate']?.post).toBeDefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'] });
});
afterAll(async () => t?.close());

describe('400 INVALID_REQUEST from schema validation reads as sentences naming the field', () => {
  it.each([
    ['POST', '/api/evaluate', { image_path: '' }, 'image_path must not be empty.'],
    ['POST', '/api/evaluate', { image_path: 'photos/a.jpg' }, 'image_path must be an absolute path to an image file on this computer.'],
    ['POST', '/api/evaluate', {}, 'Send exactly one of image_path and image_base64.'],
    ['POST', '/api/evaluate', { image_path: '/tmp/a.jpg', fields: ['mood'] }, 'fields[0] must be one of rating, flag, keywords, caption, title, reasons.'],
    ['POST', '/api/evaluate', { image_path: '/tmp/a.jpg', options: { max_keywords: 100, language: 'x' } },
      'options.max_keywords must be at most 50. options.language must be at least 2 characters long.'],
    ['POST', '/api/model/recommend', { priority: 'fastest', available_vram_gb: -1 }, 'available_vram_gb must be more than 0. priority must be one of speed, balanced, quality.'],
    ['POST', '/api/model/check_compatibility', { model: 'gemma3:4b', available_vram_gb: 'eight' }, 'available_vram_gb must be a number of gigabytes.'],
    ['POST', '/api/model/usage', { model: 'gemma3:4b' }, 'duration_ms is missing. success is missing.'],
    ['POST', '/api/model/usage', [], 'The request body must not be empty.'],
    ['GET', '/api/model/list?purpose=fastest', undefined, 'purpose must be one of speed, balanced, quality, specialized.'],
    ['GET', '/api/model/downloads?limit=0', undefined, 'limit must be at least 1.'],
  ])('%s %s %j', async (method, path, body, sentence) => {
    const r = await t.req(method, path, body === undefined ? {} : { body });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: sentence, code: 'INVALID_REQUEST' });
  });
});

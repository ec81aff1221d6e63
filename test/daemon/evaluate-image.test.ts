import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { paddedJpeg, tinyJpeg } from '../support/images.js';

/**
 * A photo's bytes reach Ollama exactly, whatever its size: the file is read in pieces, encoded in
 * slices and spliced into the request in place of a stand-in (evaluation/image.ts, ollama/image-body.ts).
 */
let t: TestDaemon;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-eval-image-'));
  t = await startTestDaemon({ installed: ['gemma3:4b'] });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const sentImages = () => (t.emu.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { images?: string[] }[] }).messages.flatMap((m) => m.images ?? []);

describe('the image Ollama receives', () => {
  it.each([
    ['a tiny photo (one read)', tinyJpeg(5)],
    // 768 KiB pieces and 48 KiB slices: several of each, and a last one that is not a multiple of 3.
    ['a photo of several pieces whose size is not a multiple of 3', paddedJpeg(2 * 1024 * 1024 + 1, 5)],
    ['a photo of exactly one piece', paddedJpeg(3 * 256 * 1024, 6)],
  ])('is %s\'s base64, and its hash the file\'s', async (_name, bytes) => {
    const path = join(dir, `photo-${bytes.length}.jpg`);
    writeFileSync(path, bytes);
    const r = await t.req('POST', '/api/evaluate', { body: { image_path: path, model: 'gemma3:4b', options: { cache: false } } });
    expect(r.status).toBe(200);
    expect(r.body.image).toEqual({ format: 'jpeg', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(sentImages()).toEqual([bytes.toString('base64')]);
  });

  it('is the inline image\'s base64 as sent, without a data: prefix or line breaks', async () => {
    const bytes = paddedJpeg(100_000, 8);
    const b64 = bytes.toString('base64');
    const inline = `data:image/jpeg;base64,${b64.replace(/(.{76})/g, '$1\n')}`;
    const r = await t.req('POST', '/api/evaluate', { body: { image_base64: inline, model: 'gemma3:4b', options: { cache: false } } });
    expect(r.status).toBe(200);
    expect(sentImages()).toEqual([b64]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-mem-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

/** The first bytes the server sends on a fresh connection, or '' when it closes without a word. */
function firstAnswer(url: string, data: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(Number(new URL(url).port), '127.0.0.1', () => s.write(data));
    let out = '';
    s.on('data', (d) => {
      out += d;
      if (out.includes('\r\n\r\n') && /\}$/.test(out)) s.destroy();
    });
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

describe('memory bounded by design', () => {
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_CONCURRENCY: '1', JUNMAI_EVAL_QUEUE: '4', JUNMAI_MAX_CONNECTIONS: '8' }, emulator: { generateLatencyMs: 600 } });
  });
  afterAll(async () => t.close());

  it('a queued evaluation reads its image only once it holds a slot', async () => {
    const first = join(dir, 'first.jpg');
    const queued = join(dir, 'queued.jpg');
    writeFileSync(first, tinyJpeg(1));
    writeFileSync(queued, tinyJpeg(2));
    const running = t.req('POST', '/api/evaluate', { body: { image_path: first, photo_id: 'a', model: 'gemma3:4b', options: { cache: false } } });
    await until(() => t.daemon.evaluation.limiter.running === 1);
    const waiting = t.req('POST', '/api/evaluate', { body: { image_path: queued, photo_id: 'b', model: 'gemma3:4b', options: { cache: false } } });
    await until(() => t.daemon.evaluation.limiter.queued === 1);
    // Had its bytes been read while it queued, the evaluation would go on with the old picture.
    writeFileSync(queued, tinyJpeg(3));
    expect((await running).status).toBe(200);
    const r = await waiting;
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'IMAGE_UNREADABLE' });
    expect(r.body.error).toMatch(/changed while it waited/);
  });

  it('refuses an evaluation with 503 BUSY before reading its body once twice the slots and queue are in hand', async () => {
    const small = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_EVAL_CONCURRENCY: '1', JUNMAI_EVAL_QUEUE: '1' }, requestTimeoutMs: 1000 });
    // Bodies that never finish arriving: each holds a place from its first byte, 2 × (1 + 1) places in all.
    const held = Array.from({ length: 4 }, () => {
      const s = connect(Number(new URL(small.url).port), '127.0.0.1');
      s.write('POST /api/evaluate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"image_base64":"');
      s.on('error', () => undefined);
      return s;
    });
    try {
      // Not a byte of this one's 30 MB body is sent: the answer comes on its headers alone. Until the
      // four above have been received, it may be let in and time out (408) instead.
      let answer = '';
      for (let i = 0; i < 10 && !/^HTTP\/1\.1 503/.test(answer); i++) {
        answer = await firstAnswer(small.url, 'POST /api/evaluate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 30000000\r\n\r\n');
      }
      expect(answer).toMatch(/^HTTP\/1\.1 503/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ success: false, code: 'BUSY', details: { capacity: 4 } });
    } finally {
      for (const s of held) s.destroy();
      await small.close();
    }
  });

  const connections = () => new Promise<number>((resolve) => t.daemon.app.server.getConnections((_e, n) => resolve(n)));
  const untilConnections = async (n: number) => {
    for (let i = 0; i < 400 && (await connections()) !== n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await connections()).toBe(n);
  };

  it('closes connections beyond JUNMAI_MAX_CONNECTIONS at once, and serves again when one is freed', async () => {
    // Keep-alive connections of the tests above count too.
    const before = await connections();
    const open = await Promise.all(
      Array.from({ length: 8 - before }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const s = connect(Number(new URL(t.url).port), '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
      })),
    );
    await untilConnections(8);
    expect(await firstAnswer(t.url, 'GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('');
    for (const s of open) s.destroy();
    await untilConnections(before);
    expect(await firstAnswer(t.url, 'GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n')).toMatch(/^HTTP\/1\.1 200/);
  });
});

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../../daemon/http/errors.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

/** Sends bytes as they are on a fresh connection and returns the status and JSON body of the answer. */
function raw(url: string, data: string): Promise<{ status: number; body: { success?: boolean; code?: string; error?: string } | undefined; text: string }> {
  const port = Number(new URL(url).port);
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(data));
    let out = '';
    const done = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0);
      const text = out.slice(out.indexOf('\r\n\r\n') + 4);
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      resolve({ status, body, text: out });
    };
    s.on('data', (d) => {
      out += d;
      // One answer is all a test needs; keep-alive would otherwise hold the socket open.
      const m = /content-length: (\d+)/i.exec(out);
      const head = out.indexOf('\r\n\r\n');
      if (m && head >= 0 && Buffer.byteLength(out.slice(head + 4)) >= Number(m[1])) {
        s.destroy();
        done();
      }
    });
    s.on('close', done);
    s.on('error', reject);
  });
}

const get = (target: string, headers: string) => `GET ${target} HTTP/1.1\r\n${headers}\r\n`;

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon({ installed: ['gemma3:4b'], requestTimeoutMs: 400 });
});
afterAll(async () => t.close());

describe("Fastify's and Node's own refusals have the error shape", () => {
  it.each([
    ['a bad %-encoding in the path', get('/api/model/info/%ZZ', 'Host: localhost\r\n'), 400, 'MALFORMED_REQUEST'],
    ['a path parameter too long', get(`/api/model/downloads/${'a'.repeat(600)}`, 'Host: localhost\r\n'), 414, 'URI_TOO_LONG'],
    ['an address larger than the header limit', get(`/api/model/info/${'a'.repeat(20_000)}`, 'Host: localhost\r\n'), 431, 'HEADERS_TOO_LARGE'],
    ['headers larger than the limit', get('/api/health', `Host: localhost\r\nX-Pad: ${'a'.repeat(20_000)}\r\n`), 431, 'HEADERS_TOO_LARGE'],
    ['a malformed header line', get('/api/health', 'Host: localhost\r\nBad Header: x\r\n'), 400, 'MALFORMED_REQUEST'],
    ['two Content-Length headers', 'POST /api/model/sync HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'MALFORMED_REQUEST'],
    ['bytes that are not HTTP', 'HELLO\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['two Host headers', get('/api/health', 'Host: localhost\r\nHost: evil.example\r\n'), 400, 'MALFORMED_REQUEST'],
    ['an absolute-form target naming another host', get('http://evil.example/api/health', 'Host: localhost\r\n'), 400, 'MALFORMED_REQUEST'],
    ['no Host at all on HTTP/1.1', get('/api/health', ''), 403, 'FORBIDDEN_HOST'],
    ['a chunked body whose chunk size is not hexadecimal', 'POST /api/model/sync HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a tunnel request (CONNECT)', 'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a tunnel request for a foreign Host: the Host is refused first', 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example\r\n\r\n', 403, 'FORBIDDEN_HOST'],
    ['an expectation Node does not know, for a foreign Host', get('/api/health', 'Host: evil.example\r\nExpect: something\r\n'), 403, 'FORBIDDEN_HOST'],
    ['a foreign Host with a bad %-encoding: the Host is refused first', get('/api/model/info/%ZZ', 'Host: evil.example\r\n'), 403, 'FORBIDDEN_HOST'],
    ['a foreign Host with a parameter too long: the Host is refused first', get(`/api/model/downloads/${'a'.repeat(600)}`, 'Host: evil.example\r\n'), 403, 'FORBIDDEN_HOST'],
  ])('%s → %i %s', async (_what, request, status, code) => {
    const r = await raw(t.url, request);
    expect(r.status, r.text.slice(0, 300)).toBe(status);
    expect(r.body).toMatchObject({ success: false, code });
    expect(typeof r.body?.error).toBe('string');
  });

  it('an absolute-form target naming this computer is served', async () => {
    const r = await raw(t.url, get(`http://localhost:${new URL(t.url).port}/api/health`, 'Host: localhost\r\n'));
    expect(r.status).toBe(200);
  });

  it('an expectation Node does not know is served as if absent, not answered with an empty 417', async () => {
    const r = await raw(t.url, get('/api/health', 'Host: localhost\r\nExpect: something\r\n'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true });
  });

  it('a body that stops part-way → 408 REQUEST_TIMEOUT, connection closed', async () => {
    const r = await raw(t.url, 'POST /api/model/sync HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{}');
    expect(r.status).toBe(408);
    expect(r.body).toMatchObject({ success: false, code: 'REQUEST_TIMEOUT' });
  });

  it('a request not received within the request timeout → 408 REQUEST_TIMEOUT, connection closed', async () => {
    const r = await raw(t.url, 'GET /api/health HTTP/1.1\r\nHost: local');
    expect(r.status).toBe(408);
    expect(r.body).toMatchObject({ success: false, code: 'REQUEST_TIMEOUT' });
  });
});

describe('beyond loopback the token comes before every other refusal', () => {
  it.each([
    ['a bad %-encoding', get('/api/model/info/%ZZ', 'Host: 192.168.1.20\r\n')],
    ['two Host headers', get('/api/health', 'Host: 192.168.1.20\r\nHost: evil.example\r\n')],
    ['an absolute-form target', get('http://evil.example/api/health', 'Host: 192.168.1.20\r\n')],
  ])('%s without the token → 401', async (_what, request) => {
    const open = await startTestDaemon({ env: { JUNMAI_HOST: '0.0.0.0' } });
    try {
      const r = await raw(`http://127.0.0.1:${new URL(open.url).port}`, request);
      expect(r.status).toBe(401);
      expect(r.body?.code).toBe('UNAUTHORIZED');
    } finally {
      await open.close();
    }
  });
});

describe("Fastify's body refusals in the photographer's terms", () => {
  it('a body shorter or longer than its Content-Length is a malformed request, not a wrong content type', () => {
    const e = toAppError(Object.assign(new Error('Request body size did not match Content-Length'), { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 }));
    expect([e.status, e.code, e.message]).toEqual([400, 'MALFORMED_REQUEST', 'This request was refused: its body is not as long as its Content-Length says.']);
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../daemon/errors.js';
import { checkPageRequest, checkRequest, checkTarget, hostOf, WS_TOKEN_PREFIX, type GuardOptions, type RequestFacts } from '../../daemon/http/guards.js';

// The guards on request facts as Node parses them, branch by branch. test/daemon/security.test.ts
// sends some of these over a real socket; here every branch has a row.
const TOKEN = 'k'.repeat(32);
const loopback: GuardOptions = { listenHost: '127.0.0.1', token: undefined };
const lanNoToken: GuardOptions = { listenHost: '192.168.1.20', token: undefined };
const lan: GuardOptions = { listenHost: '192.168.1.20', token: TOKEN };
const loopbackToken: GuardOptions = { listenHost: '127.0.0.1', token: TOKEN };
const wsToken = `${WS_TOKEN_PREFIX}${Buffer.from(TOKEN).toString('base64url')}`;

function request(headers: Record<string, string>, o: { method?: string; url?: string; httpVersion?: string } = {}): RequestFacts {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { method: o.method ?? 'GET', url: o.url ?? '/api/models', httpVersion: o.httpVersion ?? '1.1', headers: lower, rawHeaders: Object.entries(headers).flat() };
}

/** 'ok', or the refusal's code, status and sentence. */
function verdict(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return `${e.code} ${e.status} ${e.message}`;
  }
}

const HOST_REFUSED = 'FORBIDDEN_HOST 403 This request was refused: the Junmai daemon only answers requests addressed to this computer (localhost or 127.0.0.1).';
const ORIGIN_REFUSED = 'FORBIDDEN_ORIGIN 403 This request was refused: web pages from other sites may not use the Junmai daemon.';
const NO_TOKEN = 'UNAUTHORIZED 401 This request needs the Junmai access token: send it as "Authorization: Bearer <token>". The token is in the daemon\'s data folder.';
const NOT_JSON = 'UNSUPPORTED_MEDIA_TYPE 415 Send this request with "Content-Type: application/json" and a JSON body.';
const MALFORMED = 'MALFORMED_REQUEST 400 This request was refused: it has more than one Host header.';

describe('Host', () => {
  it.each([
    ['localhost:5100', loopback, 'ok'],
    ['LOCALHOST', loopback, 'ok'],
    ['  localhost:5100  ', loopback, 'ok'],
    ['127.0.0.1:5100', loopback, 'ok'],
    ['127.8.9.10', loopback, 'ok'],
    ['photos.localhost:5100', loopback, 'ok'],
    ['[::1]:5100', loopback, 'ok'],
    ['[::1]', loopback, 'ok'],
    ['evil.com', loopback, HOST_REFUSED],
    ['evil.com:5100', loopback, HOST_REFUSED],
    ['localhost.evil.com', loopback, HOST_REFUSED],
    ['evil.com@localhost', loopback, HOST_REFUSED],
    ['localhost@evil.com', loopback, HOST_REFUSED],
    ['evil.com[::1]:5100', loopback, HOST_REFUSED],
    ['[::1]:5100evil', loopback, HOST_REFUSED],
    ['[::1', loopback, HOST_REFUSED],
    ['[1.2.3.4]', loopback, HOST_REFUSED],
    ['localhost:', loopback, HOST_REFUSED],
    ['localhost:123456', loopback, HOST_REFUSED],
    ['localhost:51OO', loopback, HOST_REFUSED],
    ['', loopback, HOST_REFUSED],
    // The listen address is this computer's own name too, when the daemon listens on it.
    ['192.168.1.20:5100', lanNoToken, 'ok'],
    ['192.168.1.20', lanNoToken, 'ok'],
    ['localhost:5100', lanNoToken, 'ok'],
    ['192.168.1.21:5100', lanNoToken, HOST_REFUSED],
    ['192.168.1.20:5100', loopback, HOST_REFUSED],
    // A listen address given by name, in any case, is this computer's name in any case.
    ['junmai-mac.local:5100', { listenHost: 'Junmai-Mac.local', token: undefined }, 'ok'],
    ['JUNMAI-MAC.LOCAL', { listenHost: 'Junmai-Mac.local', token: undefined }, 'ok'],
  ])('Host %j with listen address %o: %s', (host, opts, expected) => {
    expect(verdict(() => checkRequest(request({ Host: host }), opts))).toBe(expected);
  });

  it('takes the host out of an authority, or nothing when it is not one', () => {
    expect(hostOf('LocalHost:5100')).toBe('localhost');
    expect(hostOf('[::1]:5100')).toBe('::1');
    expect(hostOf('[::1]')).toBe('::1');
    expect(hostOf('[FE80::1]')).toBe('fe80::1');
    expect(hostOf('[1.2.3.4]:80')).toBeUndefined();
    expect(hostOf('a@b')).toBeUndefined();
    expect(hostOf(undefined)).toBeUndefined();
    expect(hostOf('')).toBeUndefined();
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  it.each([
    [{}, loopback, 'ok'],
    [{ Origin: 'http://localhost:5100' }, loopback, 'ok'],
    [{ Origin: 'HTTP://LOCALHOST:5100' }, loopback, 'ok'],
    [{ Origin: 'https://127.0.0.1' }, loopback, 'ok'],
    [{ Origin: 'http://[::1]:5100' }, loopback, 'ok'],
    [{ Origin: 'http://192.168.1.20:5100' }, lanNoToken, 'ok'],
    [{ Origin: 'http://192.168.1.20:5100' }, loopback, ORIGIN_REFUSED],
    [{ Origin: 'http://Junmai-Mac.local:5100' }, { listenHost: 'Junmai-Mac.local', token: undefined }, 'ok'],
    [{ Origin: 'http://evil.com' }, loopback, ORIGIN_REFUSED],
    [{ Origin: 'http://localhost.evil.com' }, loopback, ORIGIN_REFUSED],
    // Browsers send "null" from sandboxed frames and file pages.
    [{ Origin: 'null' }, loopback, ORIGIN_REFUSED],
    [{ Origin: '' }, loopback, ORIGIN_REFUSED],
    [{ Origin: 'file://localhost/Users/me/page.html' }, loopback, ORIGIN_REFUSED],
    [{ Origin: 'ws://localhost:5100' }, loopback, ORIGIN_REFUSED],
    [{ Origin: 'chrome-extension://abcdefghijklmnop' }, loopback, ORIGIN_REFUSED],
    [{ Origin: 'localhost:5100' }, loopback, ORIGIN_REFUSED],
    [{ 'Sec-Fetch-Site': 'cross-site', Origin: 'http://localhost:5100' }, loopback, ORIGIN_REFUSED],
    [{ 'Sec-Fetch-Site': 'Cross-Site' }, loopback, ORIGIN_REFUSED],
    [{ 'Sec-Fetch-Site': 'same-origin', Origin: 'http://localhost:5100' }, loopback, 'ok'],
    [{ 'Sec-Fetch-Site': 'same-site' }, loopback, 'ok'],
    [{ 'Sec-Fetch-Site': 'none' }, loopback, 'ok'],
  ])('%o with listen address %o: %s', (headers, opts, expected) => {
    expect(verdict(() => checkRequest(request({ Host: 'localhost:5100', ...headers }), opts))).toBe(expected);
  });
});

describe('token', () => {
  const bearer = `Bearer ${TOKEN}`;
  it.each([
    // Beyond loopback the token is the gate, whatever names this computer or wherever the page came from.
    [{ Host: 'junmai-mac.local:5100', Authorization: bearer }, lan, 'ok'],
    [{ Host: 'junmai-mac.local:5100', Authorization: bearer, Origin: 'http://evil.com', 'Sec-Fetch-Site': 'cross-site' }, lan, 'ok'],
    [{ Host: 'junmai-mac.local:5100' }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Authorization: `bearer   ${TOKEN}` }, lan, 'ok'],
    [{ Host: '192.168.1.20:5100', Authorization: `Basic ${TOKEN}` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Authorization: `NotBearer ${TOKEN}` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Authorization: `Bearer ${TOKEN} extra` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Authorization: `Bearer ${TOKEN.slice(1)}x` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Authorization: `Bearer ${TOKEN}k` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Authorization: 'Bearer ' }, lan, NO_TOKEN],
    // On loopback with a token, Host and Origin are still checked, before the token.
    [{ Host: 'localhost:5100', Authorization: bearer }, loopbackToken, 'ok'],
    [{ Host: 'localhost:5100' }, loopbackToken, NO_TOKEN],
    [{ Host: 'evil.com', Authorization: bearer }, loopbackToken, HOST_REFUSED],
    [{ Host: 'evil.com' }, loopbackToken, HOST_REFUSED],
    [{ Host: 'localhost:5100', Origin: 'http://evil.com' }, loopbackToken, ORIGIN_REFUSED],
    // A browser's WebSocket cannot set Authorization: the token comes as a subprotocol, in base64url, on an upgrade only.
    [{ Host: '192.168.1.20:5100', Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `junmai, ${wsToken}` }, lan, 'ok'],
    [{ Host: '192.168.1.20:5100', Upgrade: 'WebSocket', 'Sec-WebSocket-Protocol': wsToken }, lan, 'ok'],
    [{ Host: '192.168.1.20:5100', 'Sec-WebSocket-Protocol': wsToken }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Upgrade: 'h2c', 'Sec-WebSocket-Protocol': wsToken }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `junmai, ${WS_TOKEN_PREFIX}${Buffer.from('wrong').toString('base64url')}` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'junmai' }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `x${wsToken}` }, lan, NO_TOKEN],
    [{ Host: '192.168.1.20:5100', Upgrade: 'websocket' }, lan, NO_TOKEN],
    // Authorization wins over a subprotocol.
    [{ Host: '192.168.1.20:5100', Authorization: 'Bearer wrong', Upgrade: 'websocket', 'Sec-WebSocket-Protocol': wsToken }, lan, NO_TOKEN],
  ])('%o with listen address %o: %s', (headers, opts, expected) => {
    expect(verdict(() => checkRequest(request(headers), opts))).toBe(expected);
  });
});

describe('the dashboard\'s own files', () => {
  // A browser opening the page cannot send a token, and the files hold no data: Host and Origin rules only, and beyond
  // loopback only the cross-site rule, since the daemon cannot know the names it is reached by there.
  it.each([
    [{ Host: 'localhost:5100' }, loopbackToken, 'ok'],
    [{ Host: 'evil.com' }, loopbackToken, HOST_REFUSED],
    [{ Host: 'localhost:5100', Origin: 'http://evil.com' }, loopback, ORIGIN_REFUSED],
    [{ Host: 'localhost:5100', 'Sec-Fetch-Site': 'cross-site' }, loopback, ORIGIN_REFUSED],
    [{ Host: 'junmai-mac.local:5100' }, lan, 'ok'],
    [{ Host: 'junmai-mac.local:5100', Origin: 'http://evil.com' }, lan, 'ok'],
    [{ Host: 'junmai-mac.local:5100', 'Sec-Fetch-Site': 'cross-site' }, lan, ORIGIN_REFUSED],
    [{ Host: 'junmai-mac.local:5100' }, lanNoToken, HOST_REFUSED],
    [{ Host: 'localhost:5100', host: 'localhost' }, loopback, MALFORMED],
  ])('%o with listen address %o: %s', (headers, opts, expected) => {
    expect(verdict(() => checkPageRequest(request(headers), opts))).toBe(expected);
  });
});

describe('content type of mutating requests', () => {
  const cases: Array<[string, string | undefined, string]> = [];
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    cases.push(
      [method, undefined, NOT_JSON],
      [method, 'application/json', 'ok'],
      [method, 'Application/JSON; charset=utf-8', 'ok'],
      [method, ' application/json ;charset=UTF-8', 'ok'],
      [method, 'text/plain', NOT_JSON],
      [method, 'application/x-www-form-urlencoded', NOT_JSON],
      [method, 'multipart/form-data; boundary=x', NOT_JSON],
      [method, 'application/json-patch+json', NOT_JSON],
      [method, '', NOT_JSON],
    );
  }
  for (const method of ['GET', 'HEAD', 'OPTIONS']) cases.push([method, undefined, 'ok'], [method, 'text/plain', 'ok']);

  it.each(cases)('%s with Content-Type %j: %s', (method, type, expected) => {
    const headers: Record<string, string> = { Host: 'localhost:5100' };
    if (type !== undefined) headers['Content-Type'] = type;
    expect(verdict(() => checkRequest(request(headers, { method }), loopback))).toBe(expected);
  });

  it('takes a request without a method as a GET', () => {
    const req = { ...request({ Host: 'localhost:5100' }), method: undefined };
    expect(verdict(() => checkRequest(req, loopback))).toBe('ok');
  });
});

describe('request target', () => {
  const refusal = (req: RequestFacts) => {
    try {
      checkTarget(req);
      return 'ok';
    } catch (e) {
      return (e as AppError).message;
    }
  };
  it.each([
    [request({ Host: 'localhost:5100' }), 'ok'],
    [request({ Host: 'localhost:5100' }, { url: '*', method: 'OPTIONS' }), 'ok'],
    [{ ...request({ Host: 'localhost:5100' }), url: undefined }, 'ok'],
    [request({ Host: 'localhost:5100', host: 'evil.com' }), 'This request was refused: it has more than one Host header.'],
    // Only names count: a header whose value reads "Host" is no second Host header.
    [request({ Host: 'localhost:5100', 'X-Note': 'Host' }), 'ok'],
    [request({ 'X-Note': 'host' }), 'This request was refused: an HTTP/1.1 request must name its host in a Host header.'],
    [request({}), 'This request was refused: an HTTP/1.1 request must name its host in a Host header.'],
    [request({}, { httpVersion: '1.0' }), 'ok'],
    [request({ Host: 'localhost:5100' }, { method: 'CONNECT', url: 'localhost:5100' }), 'This request was refused: the Junmai daemon opens no tunnels (CONNECT).'],
    [request({ Host: 'localhost:5100' }, { url: 'http://localhost:5100/api/models' }), 'ok'],
    [request({ Host: 'LOCALHOST:5100' }, { url: 'http://Localhost:5100/api/models' }), 'ok'],
    [request({ Host: '[::1]:5100' }, { url: 'http://[::1]:5100/api/models' }), 'ok'],
    [request({ Host: 'localhost:5100' }, { url: 'http://evil.com/api/models' }), 'This request was refused: its target names another host than its Host header.'],
    [request({}, { url: 'http://localhost:5100/api/models', httpVersion: '1.0' }), 'This request was refused: its target names another host than its Host header.'],
    [request({ Host: 'localhost:5100' }, { url: 'api/models' }), 'This request was refused: its target is neither a path nor an address.'],
  ])('%o: %s', (req, expected) => {
    expect(refusal(req)).toBe(expected);
  });

  it('checks the target after Host, Origin and token, and before the content type', () => {
    const twoHosts = request({ Host: 'localhost:5100', host: 'localhost:5100' }, { method: 'POST' });
    expect(verdict(() => checkRequest(twoHosts, loopback))).toBe(MALFORMED);
    expect(verdict(() => checkRequest(request({ Host: 'localhost:5100', host: 'localhost' }, { method: 'POST' }), lan))).toBe(NO_TOKEN);
    expect(verdict(() => checkRequest(request({ Host: 'localhost:5100', Authorization: `Bearer ${TOKEN}`, host: 'x' }, { method: 'POST' }), lan))).toBe(MALFORMED);
  });
});

import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { isLoopbackHost } from '../config.js';
import { AppError } from '../errors.js';

/**
 * The checks every request passes before routing. A web page in the photographer's browser can
 * reach 127.0.0.1:5100 too, so: the Host must name this machine (a DNS-rebinding page arrives with
 * its own domain in Host), a browser Origin must be local (cross-site requests are refused, not
 * merely unreadable), and mutating requests must be JSON, which no cross-site form can send
 * without a CORS preflight that we never grant.
 */
export interface GuardOptions {
  /** The address the daemon listens on; accepted as a Host besides the loopback names. */
  listenHost: string;
  token: string | undefined;
}

/** Methods that change something: they must carry a JSON body (and may answer 413, 415 or 507). */
export const MUTATING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `host[:port]` → host, or undefined when the header is not a well-formed authority. */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(h);
  if (v6) {
    const address = v6[1] as string; // the group is not optional: it matched
    return isIP(address) === 6 ? address : undefined;
  }
  const m = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  return m?.[1] || undefined;
}

/**
 * Every guard, in order, on a request's headers. On loopback the Host and Origin checks are the
 * defence (a web page can reach 127.0.0.1 but cannot name it in Host after DNS rebinding). Beyond
 * loopback the daemon is reached by whatever names this computer has on the network (its LAN
 * address, its host name), none of which it can know, and it always has a token: there the token
 * is the gate, checked first, and a request that carries it is not refused for its Host or Origin.
 */
export function checkRequest(req: RequestFacts, opts: GuardOptions): void {
  const one = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const token = presentedToken(one('authorization'), one('upgrade'), one('sec-websocket-protocol'));
  if (opts.token && !isLoopbackHost(opts.listenHost)) {
    checkToken(token, opts);
  } else {
    checkHost(one('host'), opts);
    checkOrigin(one('origin'), one('sec-fetch-site'), opts);
    checkToken(token, opts);
  }
  checkTarget(req);
  // Stryker disable next-line StringLiteral: a request without a method is not a mutating one, whatever it is called here
  checkContentType(req.method ?? 'GET', one('content-type'));
}

/**
 * The guards for the dashboard's own files (its page, script and styles), which hold no data: every
 * figure they show comes from the API behind the token. A browser cannot send a token when it opens
 * an address, so these ask for none; they keep the Host and Origin rules on loopback, and beyond it,
 * where the daemon cannot know its own names, they still refuse a request another site made.
 */
export function checkPageRequest(req: RequestFacts, opts: GuardOptions): void {
  const one = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (opts.token && !isLoopbackHost(opts.listenHost)) {
    checkOrigin(undefined, one('sec-fetch-site'), opts);
  } else {
    checkHost(one('host'), opts);
    checkOrigin(one('origin'), one('sec-fetch-site'), opts);
  }
  checkTarget(req);
}

/** The WebSocket subprotocol the dashboard asks for; the daemon answers with it (http/ws.ts). */
export const WS_PROTOCOL = 'junmai';
/** A subprotocol `junmai.bearer.<token in base64url>` carries the token on an upgrade. */
export const WS_TOKEN_PREFIX = 'junmai.bearer.';

/**
 * The token a request presents: `Authorization: Bearer <token>`, or, on a WebSocket upgrade, in
 * Sec-WebSocket-Protocol, the one header a browser's WebSocket lets a page set. It is base64url
 * there because a subprotocol may hold only token characters. Empty when none is sent.
 */
export function presentedToken(authorization: string | undefined, upgrade: string | undefined, protocols: string | undefined): string {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  if ((upgrade ?? '').toLowerCase() !== 'websocket') return '';
  const offered = (protocols ?? '').split(',').map((p) => p.trim()).find((p) => p.startsWith(WS_TOKEN_PREFIX));
  return offered ? Buffer.from(offered.slice(WS_TOKEN_PREFIX.length), 'base64url').toString('utf8') : '';
}

/** What the guards read of a request: Node's IncomingMessage has all of it. */
export interface RequestFacts {
  method?: string | undefined;
  url?: string | undefined;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
}

const malformed = (why: string) => new AppError('MALFORMED_REQUEST', `This request was refused: ${why}.`);

/**
 * Which host a request is for must be unambiguous. Node keeps the first of two Host headers and
 * routes an absolute-form target (`GET http://other/…`) by its path alone, so either could make
 * the guards judge one host while a proxy in front of us meant another.
 */
export function checkTarget(req: RequestFacts): void {
  // rawHeaders alternates names and values; a value may well read "host".
  const hosts = req.rawHeaders.filter((v, i) => i % 2 === 0 && v.toLowerCase() === 'host').length;
  if (hosts > 1) throw malformed('it has more than one Host header');
  if (hosts === 0 && req.httpVersion === '1.1') throw malformed('an HTTP/1.1 request must name its host in a Host header');
  if (req.method === 'CONNECT') throw malformed('the Junmai daemon opens no tunnels (CONNECT)');
  const url = req.url ?? '/';
  if (url.startsWith('/') || url === '*') return;
  let target: string | undefined;
  try {
    target = new URL(url).hostname.replace(/[[\]]/g, '').toLowerCase();
  } catch {
    throw malformed('its target is neither a path nor an address');
  }
  const host = hostOf(req.headers.host as string | undefined);
  if (target !== host) throw malformed('its target names another host than its Host header');
}

export function checkHost(header: string | undefined, opts: GuardOptions): void {
  const host = hostOf(header);
  const allowed = host !== undefined && (isLoopbackHost(host) || host === opts.listenHost.toLowerCase());
  if (!allowed) {
    throw new AppError('FORBIDDEN_HOST', 'This request was refused: the Junmai daemon only answers requests addressed to this computer (localhost or 127.0.0.1).');
  }
}

export function checkOrigin(origin: string | undefined, fetchSite: string | undefined, opts: GuardOptions): void {
  if (fetchSite && fetchSite.toLowerCase() === 'cross-site') {
    throw new AppError('FORBIDDEN_ORIGIN', 'This request was refused: web pages from other sites may not use the Junmai daemon.');
  }
  if (origin === undefined) return;
  const u = URL.canParse(origin) ? new URL(origin) : undefined;
  const host = u && (u.protocol === 'http:' || u.protocol === 'https:') ? u.hostname.replace(/[[\]]/g, '') : undefined;
  if (!host || !(isLoopbackHost(host) || host === opts.listenHost.toLowerCase())) {
    throw new AppError('FORBIDDEN_ORIGIN', 'This request was refused: web pages from other sites may not use the Junmai daemon.');
  }
}

export function checkToken(presented: string, opts: GuardOptions): void {
  if (!opts.token) return;
  const a = Buffer.from(presented);
  const b = Buffer.from(opts.token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AppError('UNAUTHORIZED', 'This request needs the Junmai access token: send it as "Authorization: Bearer <token>". The token is in the daemon\'s data folder.');
  }
}

export function checkContentType(method: string, contentType: string | undefined): void {
  if (!MUTATING.has(method)) return;
  // Stryker disable next-line StringLiteral,OptionalChaining: split always yields a first part, and no header is refused whatever stands in for it
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send this request with "Content-Type: application/json" and a JSON body.');
  }
}

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route serves the dashboard's files: it passes the page guards (guards.ts checkPageRequest) instead of the API's. */
    page?: boolean;
  }
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The folder of the dashboard's files: `dashboard/` at the package root, two levels above this
 * module when it runs from source (daemon/http/) and three when built (dist/daemon/http/).
 */
function dashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    if (existsSync(join(dir, 'dashboard', 'index.html'))) return join(dir, 'dashboard');
    dir = dirname(dir);
  }
  throw new Error('the dashboard folder (dashboard/index.html) is missing from the Junmai package');
}

function asset(path: string): Asset {
  const body = readFileSync(path);
  return { body, type: TYPES[extname(path)] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Every file the page may load, read once at start: the dashboard's own, and uPlot's built script
 * and styles straight from its npm package, so there is no copy to go stale and no build step.
 */
function loadAssets(): Map<string, Asset> {
  const dir = dashboardDir();
  const files = new Map<string, Asset>();
  for (const name of readdirSync(dir)) if (TYPES[extname(name)]) files.set(name, asset(join(dir, name)));
  const require = createRequire(import.meta.url);
  const uplot = dirname(require.resolve('uplot/package.json'));
  files.set('uPlot.iife.min.js', asset(join(uplot, 'dist', 'uPlot.iife.min.js')));
  files.set('uPlot.min.css', asset(join(uplot, 'dist', 'uPlot.min.css')));
  return files;
}

/** `ws://` + the Host the page was asked for, when it is a plain authority (it was checked by the guards on loopback). */
function wsSource(host: string | undefined): string {
  return host && /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host) ? ` ws://${host}` : '';
}

/**
 * Only the daemon's own origin: no inline script or style, nothing from elsewhere, no framing.
 * `connect-src 'self'` covers ws: to the same host only in browsers that follow CSP Level 3
 * (w3c/webappsec-csp issue 7: Chrome from 71, Safari from 16), so the page's own ws: address is named as well.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${wsSource(host)}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(req: FastifyRequest, reply: FastifyReply, file: Asset) {
  reply
    .header('content-type', file.type)
    .header('content-security-policy', contentSecurityPolicy(req.headers.host))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    // Checked again on every load (a cheap 304), so a daemon update is seen at once.
    .header('cache-control', 'no-cache')
    .header('etag', file.etag);
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.body);
}

/** The dashboard at `/`, its files under `/dashboard/`. */
export function dashboardRoutes() {
  const files = loadAssets();
  const config = { page: true };
  return async function (app: FastifyInstance) {
    app.get('/', { schema: { hide: true }, config }, async (req, reply) => send(req, reply, files.get('index.html') as Asset));
    app.get<{ Params: { file: string } }>('/dashboard/:file', { schema: { hide: true }, config }, async (req, reply) => {
      const file = files.get(req.params.file);
      if (!file) throw new AppError('ROUTE_NOT_FOUND', `There is no file ${req.params.file} in the Junmai dashboard.`);
      return send(req, reply, file);
    });
  };
}

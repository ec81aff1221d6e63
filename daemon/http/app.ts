import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Calibrations } from '../compare/calibrations.js';
import type { CompareService } from '../compare/service.js';
import { AppError } from '../errors.js';
import type { HardwareProbe } from '../hardware/probe.js';
import type { Health } from '../health.js';
import type { DownloadService } from '../downloads/jobs.js';
import { ollamaDisk } from '../downloads/disk.js';
import type { PreflightOptions } from '../downloads/preflight.js';
import type { EvaluationService } from '../evaluation/evaluate.js';
import type { ModelManager } from '../models/manager.js';
import type { RunsService } from '../runs/service.js';
import { DAEMON_VERSION } from '../version.js';
import { answerClientError, answerOnSocket, sendError } from './errors.js';
import { commonErrors, OPENAPI_INFO, withoutUnusedSchemas } from './openapi.js';
import { checkPageRequest, checkRequest, WS_PROTOCOL, type GuardOptions } from './guards.js';
import { dashboardRoutes } from './dashboard.js';
import { compareRoutes } from './routes/compare.js';
import { downloadRoutes } from './routes/downloads.js';
import { evaluateRoutes } from './routes/evaluate.js';
import { modelRoutes } from './routes/models.js';
import { runRoutes } from './routes/runs.js';
import { systemRoutes } from './routes/system.js';
import { registerWs, type WsDeps } from './ws.js';

export interface AppDeps {
  manager: ModelManager;
  downloads: DownloadService;
  health: Health;
  hardware: HardwareProbe;
  guard: GuardOptions;
  bodyLimitBytes: number;
  ws: WsDeps;
  preflight: Omit<PreflightOptions, 'manager'>;
  logger?: boolean | object;
  /** Open connections at most: Node closes any beyond it as soon as it is accepted. */
  maxConnections?: number;
  /** How long a client may take to send a whole request (408 REQUEST_TIMEOUT after). */
  requestTimeoutMs?: number;
  evaluation?: { service: EvaluationService; maxImageBytes: number };
  compare?: { service: CompareService; calibrations: Calibrations };
  runs?: RunsService;
}

/** Builds the Fastify instance: guards, JSON parsing, error shape, routes. Only main.ts listens. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const requestTimeout = deps.requestTimeoutMs ?? 120_000;
  const app = Fastify({
    logger: deps.logger ?? false,
    // Fastify's two lines per request would flood the log at info: an export makes two or three requests
    // a photo, and within a few exports the rotation would drop the start and error lines a maintainer
    // reads first. At info, failures are logged by sendError and state changes by main.ts; at debug, one
    // line per request (onResponse below).
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (pino builds one with its bindings serialized, for every request):
    // the few lines logged per request name their reqId themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: deps.bodyLimitBytes,
    // Headers and bodies must arrive promptly; a slow-loris client must not hold a socket forever.
    requestTimeout,
    connectionTimeout: 0,
    keepAliveTimeout: 10_000,
    http: {
      // Node arms the whole-request deadline only from the options the server is made with: set later
      // (as Fastify's own requestTimeout is), it covers the headers but not the body, and a client that
      // stops sending part-way through a body would hold its socket forever.
      requestTimeout,
      // Node would answer a missing Host with an empty 400 before any guard; the guards answer it instead.
      requireHostHeader: false,
      // How often Node looks for requests over the timeout: a fraction of it, so a 408 comes close to on time.
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, requestTimeout / 4)),
    },
    // A model name is at most 128 characters, three times that when percent-encoded.
    routerOptions: { maxParamLength: 512 },
    clientErrorHandler: answerClientError,
    // Errors Fastify raises before routing (a bad %-encoding, a path too long) pass the guards first:
    // a foreign Host or a missing token is told that, not what else is wrong with the request.
    frameworkErrors: (err, req, reply) => {
      try {
        checkRequest(req.raw, deps.guard);
      } catch (refused) {
        return sendError(reply, req, refused);
      }
      return sendError(reply, req, err);
    },
  }).withTypeProvider<ZodTypeProvider>();
  if (deps.maxConnections !== undefined) app.server.maxConnections = deps.maxConnections;
  // Node answers an Expect other than 100-continue with an empty 417 before any guard; the request is
  // served as if it did not carry one, which HTTP allows, so it meets the guards and the error shape.
  app.server.on('checkExpectation', (req, res) => app.server.emit('request', req, res));
  // Node drops a CONNECT (a tunnel request) without a word; it is refused in the error shape instead.
  // The guards refuse every CONNECT (checkTarget), after the Host and token checks.
  app.server.on('connect', (req: IncomingMessage, socket: Socket) => {
    try {
      checkRequest(req, deps.guard);
    } catch (refused) {
      answerOnSocket(socket, refused);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Clients such as `curl -X POST … -H 'Content-Type: application/json'` send no body to /sync or /export.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    defaultJson(req, body as string, done);
  });

  // Registered before the guards so that a refused upgrade still has its socket closed after the 403.
  await app.register(websocket, {
    // The dashboard's token subprotocol is never echoed back: only the plain one is chosen.
    options: { maxPayload: 64 * 1024, handleProtocols: (offered: Set<string>) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false) },
  });
  // A callback, not an async function: it runs for every request, and a promise per request costs a turn of the microtask queue.
  app.addHook('onRequest', (req, _reply, done) => {
    try {
      if (req.routeOptions.config.page) checkPageRequest(req.raw, deps.guard);
      else checkRequest(req.raw, deps.guard);
    } catch (refused) {
      return done(refused as Error);
    }
    done();
  });

  if (app.log.level === 'debug' || app.log.level === 'trace') {
    app.addHook('onResponse', async (req, reply) => {
      req.log.debug({ reqId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }

  app.setErrorHandler((err, req, reply) => sendError(reply, req, err));
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, req, new AppError('ROUTE_NOT_FOUND', `There is no ${req.method} ${req.url.split('?')[0]} in the Junmai API. See /docs/json for the routes.`)),
  );

  await app.register(swagger, {
    openapi: { ...OPENAPI_INFO, info: { ...OPENAPI_INFO.info, version: DAEMON_VERSION } },
    transform: jsonSchemaTransform,
    transformObject: (doc) => withoutUnusedSchemas(jsonSchemaTransformObject(doc)),
  });
  // Every documented route declares the refusals any route can give, besides its own.
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    const method = Array.isArray(route.method) ? (route.method[0] ?? 'GET') : route.method;
    route.schema.response = { ...commonErrors(method), ...(route.schema.response as object | undefined) };
  });

  registerWs(app, deps.ws);
  await app.register(modelRoutes(deps.manager, () => deps.health.ollamaVersion()), { prefix: '/api/model' });
  await app.register(downloadRoutes(deps.manager, deps.downloads, deps.preflight), { prefix: '/api/model' });
  await app.register(systemRoutes(deps.health, deps.hardware, () => ollamaDisk(deps.preflight.ollamaUrl, deps.preflight.ollamaModelsDir)), { prefix: '/api' });
  if (deps.evaluation) await app.register(evaluateRoutes(deps.evaluation.service, deps.evaluation.maxImageBytes), { prefix: '/api' });
  if (deps.compare) await app.register(compareRoutes(deps.compare.service, deps.compare.calibrations), { prefix: '/api' });
  if (deps.runs) await app.register(runRoutes(deps.runs), { prefix: '/api' });
  await app.register(dashboardRoutes());
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
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
import { DAEMON_VERSION } from '../version.js';
import { sendError } from './errors.js';
import { checkContentType, checkHost, checkOrigin, checkToken, type GuardOptions } from './guards.js';
import { compareRoutes } from './routes/compare.js';
import { downloadRoutes } from './routes/downloads.js';
import { evaluateRoutes } from './routes/evaluate.js';
import { modelRoutes } from './routes/models.js';
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
  evaluation?: { service: EvaluationService; maxImageBytes: number };
  compare?: { service: CompareService; calibrations: Calibrations };
}

/** Builds the Fastify instance: guards, JSON parsing, error shape, routes. Only main.ts listens. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimitBytes,
    // Headers and bodies must arrive promptly; a slow-loris client must not hold a socket forever.
    requestTimeout: 120_000,
    connectionTimeout: 0,
    keepAliveTimeout: 10_000,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Clients such as `curl -X POST … -H 'Content-Type: application/json'` send no body to /sync or /export.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    defaultJson(req, body as string, done);
  });

  // Registered before the guards so that a refused upgrade still has its socket closed after the 403.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook('onRequest', async (req) => {
    checkHost(req.headers.host, deps.guard);
    checkOrigin(req.headers.origin, req.headers['sec-fetch-site'] as string | undefined, deps.guard);
    checkToken(req.headers.authorization, deps.guard);
    checkContentType(req.method, req.headers['content-type']);
  });

  app.setErrorHandler((err, req, reply) => sendError(reply, req, err));
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, req, new AppError('ROUTE_NOT_FOUND', `There is no ${req.method} ${req.url.split('?')[0]} in the Junmai API. See /docs/json for the routes.`)),
  );

  await app.register(swagger, {
    openapi: { info: { title: 'Junmai daemon API', version: DAEMON_VERSION } },
    transform: jsonSchemaTransform,
  });

  registerWs(app, deps.ws);
  await app.register(modelRoutes(deps.manager, () => deps.health.ollamaVersion()), { prefix: '/api/model' });
  await app.register(downloadRoutes(deps.manager, deps.downloads, deps.preflight), { prefix: '/api/model' });
  await app.register(systemRoutes(deps.health, deps.hardware, () => ollamaDisk(deps.preflight.ollamaUrl, deps.preflight.ollamaModelsDir)), { prefix: '/api' });
  if (deps.evaluation) await app.register(evaluateRoutes(deps.evaluation.service, deps.evaluation.maxImageBytes), { prefix: '/api' });
  if (deps.compare) await app.register(compareRoutes(deps.compare.service, deps.compare.calibrations), { prefix: '/api' });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

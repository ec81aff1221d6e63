import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Health } from '../../health.js';
import type { HardwareProbe } from '../../hardware/probe.js';
import { HardwareResponse, HealthResponse } from '../../schemas/api.js';

/** /api/health and /api/hardware: what a client checks before anything else. */
export function systemRoutes(health: Health, hardware: HardwareProbe): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/health', { schema: { tags: ['system'], response: { 200: HealthResponse } } }, async () => ({ success: true as const, ...(await health.report()) }));
    app.get('/hardware', { schema: { tags: ['system'], response: { 200: HardwareResponse } } }, async () => ({ success: true as const, hardware: await hardware.probe() }));
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Health } from '../../health.js';
import type { OllamaDisk } from '../../downloads/disk.js';
import type { HardwareProbe } from '../../hardware/probe.js';
import { HardwareResponse, HealthResponse } from '../../schemas/api.js';

/** /api/health and /api/hardware: what a client checks before anything else. */
export function systemRoutes(health: Health, hardware: HardwareProbe, disk: () => Promise<OllamaDisk | null>): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/health', { schema: { tags: ['system'], operationId: 'getHealth', summary: 'Daemon and API versions, whether Ollama answers, the database', response: { 200: HealthResponse } } }, async () => ({ success: true as const, ...(await health.report()) }));
    app.get('/hardware', { schema: { tags: ['system'], operationId: 'getHardware', summary: 'GPUs, memory usable for models and free space on Ollama\'s disk', response: { 200: HardwareResponse } } }, async () => {
      const [info, d] = await Promise.all([hardware.probe(), disk()]);
      // Free space where Ollama keeps models, so a client can say whether a download fits before starting it.
      return { success: true as const, hardware: { ...info, models_dir: d?.models_dir ?? null, disk_free_bytes: d?.free_bytes ?? null } };
    });
  };
}

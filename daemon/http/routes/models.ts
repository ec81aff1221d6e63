import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModelManager } from '../../models/manager.js';
import {
  CompatibilityRequest, CompatibilityResponse, CurrentResponse, DeleteResponse, ExportResponse, ImportBody,
  ImportResponse, InfoResponse, ListQuery, ListResponse, ModelRequest, RecommendRequest,
  RecommendResponse, StatisticsQuery, StatisticsResponse, SwitchResponse, SyncResponse, UsageRequest, UsageResponse,
} from '../../schemas/api.js';

/** /api/model/*: the old system's routes, request fields and success fields, plus usage ingest. */
export function modelRoutes(manager: ModelManager, ollamaVersion: () => Promise<string | null>): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['models'];
    app.get('/list', { schema: { tags, querystring: ListQuery, response: { 200: ListResponse } } }, async (req) => {
      const models = manager.list(req.query);
      return { success: true as const, models, count: models.length, ...manager.freshness() };
    });

    app.get('/installed', { schema: { tags, response: { 200: ListResponse } } }, async () => {
      const models = manager.list({ installed_only: true });
      return { success: true as const, models, count: models.length, ...manager.freshness() };
    });

    app.get('/current', { schema: { tags, response: { 200: CurrentResponse } } }, async () => {
      const current = manager.current();
      return { success: true as const, ...current, loaded: current.current_model ? await manager.isLoaded(current.current_model) : null };
    });

    app.get('/info/*', { schema: { tags, params: z.object({ '*': z.string() }), response: { 200: InfoResponse } } }, async (req) => ({
      success: true as const,
      ...manager.info(req.params['*']),
    }));

    app.post('/switch', { schema: { tags, body: ModelRequest, response: { 200: SwitchResponse } } }, async (req) => ({
      success: true as const,
      ...(await manager.switch(req.body.model)),
    }));

    app.delete('/delete', { schema: { tags, body: ModelRequest, response: { 200: DeleteResponse } } }, async (req) => ({
      success: true as const,
      ...(await manager.delete(req.body.model)),
    }));

    app.post('/recommend', { schema: { tags, body: RecommendRequest.default({ priority: 'balanced', capability: 'vision' }), response: { 200: RecommendResponse } } }, async (req) => ({
      success: true as const,
      ...(await manager.recommend(req.body)),
    }));

    app.post('/check_compatibility', { schema: { tags, body: CompatibilityRequest, response: { 200: CompatibilityResponse } } }, async (req) => ({
      success: true as const,
      ...(await manager.checkCompatibility(req.body)),
    }));

    app.get('/statistics', { schema: { tags, querystring: StatisticsQuery, response: { 200: StatisticsResponse } } }, async (req) => ({
      success: true as const,
      ...manager.statistics(req.query.model),
    }));

    app.post('/usage', { schema: { tags, body: UsageRequest, response: { 200: UsageResponse } } }, async (req) => ({
      success: true as const,
      recorded: manager.recordUsage(Array.isArray(req.body) ? req.body : [req.body]),
    }));

    app.post('/sync', { schema: { tags, response: { 200: SyncResponse } } }, async () => {
      const r = await manager.sync();
      return {
        success: true as const,
        message: `Synced with Ollama: ${r.installed.length} model(s) installed.`,
        ...r,
        ollama_version: await ollamaVersion(),
      };
    });

    app.post('/export', { schema: { tags, response: { 200: ExportResponse } } }, async () => ({ success: true as const, document: manager.exportDocument() }));

    app.post('/import', { schema: { tags, body: ImportBody, response: { 200: ImportResponse } } }, async (req) => {
      const r = await manager.importDocument(req.body);
      return { success: true as const, message: `Imported ${r.imported.length} model(s) from ${r.format === 'legacy' ? "the old system's" : 'a Junmai'} metadata file.`, ...r };
    });
  };
}

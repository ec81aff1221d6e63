import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Available } from '../../models/fit.js';
import type { ModelManager } from '../../models/manager.js';
import {
  CompatibilityRequest, CompatibilityResponse, CurrentResponse, DeleteResponse, ExportResponse, ImportBody,
  ImportResponse, InfoResponse, ListQuery, ListResponse, ModelName, ModelRequest, RecommendRequest,
  DailyStatisticsQuery, DailyStatisticsResponse, RecommendResponse, StatisticsQuery, StatisticsResponse, SwitchResponse, SyncResponse, UsageRequest, UsageResponse,
} from '../../schemas/api.js';
import { AnswerCache } from '../answer-cache.js';
import { errors } from '../openapi.js';

/** /api/model/*: the old system's routes, request fields and success fields, plus usage ingest. */
export function modelRoutes(manager: ModelManager, ollamaVersion: () => Promise<string | null>): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['models'];
    // One entry per filter set; /installed shares ?installed_only=true's.
    const lists = new AnswerCache();
    const send = (query: ListQuery, reply: FastifyReply, here: Available | undefined): void => {
      const body = lists.get(JSON.stringify(query), manager.listStamp(here), () => {
        const models = manager.list(query, here);
        // The schema's serializer (fastify-type-provider-zod) ends in JSON.stringify: always a string.
        return reply.serialize({ success: true as const, models, count: models.length, ...manager.freshness() }) as string;
      });
      // Bytes with a JSON type are sent as they are, as the response schema's serializer made them.
      reply.type('application/json; charset=utf-8').send(body);
    };
    // Answered without a promise once the machine's memory is known (every request but the first): the hottest read.
    const list = (query: ListQuery, reply: FastifyReply): Promise<void> | undefined => {
      const here = manager.knownHere();
      if (!here) return manager.availableHere().then((probed) => send(query, reply, probed));
      send(query, reply, here);
      return undefined;
    };
    app.get('/list', { schema: { tags, operationId: 'listModels', summary: 'The catalog\'s models and the installed ones, with their figures', querystring: ListQuery, response: { 200: ListResponse } } }, (req, reply) => list(req.query, reply));

    app.get('/installed', { schema: { tags, operationId: 'listInstalledModels', summary: 'The models installed in Ollama', response: { 200: ListResponse } } }, (_req, reply) => list({ installed_only: true }, reply));

    app.get('/current', { schema: { tags, operationId: 'getCurrentModel', summary: 'The model photos are evaluated with, and whether Ollama has it in memory', response: { 200: CurrentResponse } } }, async () => {
      const current = manager.current();
      return { success: true as const, ...current, loaded: current.current_model ? await manager.isLoaded(current.current_model) : null };
    });

    const info = async (name: string) => ({ success: true as const, ...manager.info(name, await manager.availableHere()) });
    app.get(
      '/info/:name',
      { schema: { tags, operationId: 'getModelInfo', summary: 'One model, by any name Ollama accepts', params: z.object({ name: ModelName }), response: { 200: InfoResponse, ...errors(404) } } },
      async (req) => info(req.params.name),
    );
    // Names such as hf.co/user/repo:tag hold slashes, which clients may send unencoded.
    app.get('/info/*', { schema: { hide: true, params: z.object({ '*': z.string() }), response: { 200: InfoResponse } } }, async (req) => info(req.params['*']));

    app.post('/switch', { schema: { tags, operationId: 'switchModel', summary: 'Make an installed model the current one', body: ModelRequest, response: { 200: SwitchResponse, ...errors(404, 409, 502, 503, 504) } } }, async (req) => ({
      success: true as const,
      ...(await manager.switch(req.body.model)),
    }));

    app.delete('/delete', { schema: { tags, operationId: 'deleteModel', summary: 'Delete a model from Ollama', body: ModelRequest, response: { 200: DeleteResponse, ...errors(404, 409, 502, 503, 504) } } }, async (req) => ({
      success: true as const,
      ...(await manager.delete(req.body.model)),
    }));

    app.post('/recommend', { schema: { tags, operationId: 'recommendModel', summary: 'The best model for this computer and a priority', body: RecommendRequest.default({ priority: 'balanced', capability: 'vision' }), response: { 200: RecommendResponse } } }, async (req) => ({
      success: true as const,
      ...(await manager.recommend(req.body)),
    }));

    app.post('/check_compatibility', { schema: { tags, operationId: 'checkCompatibility', summary: 'Whether a model fits this computer\'s memory', body: CompatibilityRequest, response: { 200: CompatibilityResponse, ...errors(404) } } }, async (req) => ({
      success: true as const,
      ...(await manager.checkCompatibility(req.body)),
    }));

    app.get('/statistics', { schema: { tags, operationId: 'getStatistics', summary: 'How each model has performed on photos', querystring: StatisticsQuery, response: { 200: StatisticsResponse, ...errors(404) } } }, async (req) => ({
      success: true as const,
      ...manager.statistics(req.query.model),
    }));

    app.get('/statistics/daily', { schema: { tags, operationId: 'getDailyStatistics', summary: 'A model\'s photos per day: counts, failures, cold loads, warm p50/p95', querystring: DailyStatisticsQuery, response: { 200: DailyStatisticsResponse } } }, async (req) => ({
      success: true as const,
      ...manager.dailyStatistics(req.query.model, req.query.days),
    }));

    app.post('/usage', { schema: { tags, operationId: 'recordUsage', summary: 'Record photo evaluations done, or complete them with the plug-in\'s own time', body: UsageRequest, response: { 200: UsageResponse } } }, async (req) => ({
      success: true as const,
      recorded: manager.recordUsage(Array.isArray(req.body) ? req.body : [req.body]),
    }));

    app.post('/sync', { schema: { tags, operationId: 'syncModels', summary: 'Read again which models Ollama has', response: { 200: SyncResponse, ...errors(502, 503, 504) } } }, async () => {
      const r = await manager.sync();
      return {
        success: true as const,
        message: `Synced with Ollama: ${r.installed.length} model(s) installed.`,
        ...r,
        ollama_version: await ollamaVersion(),
      };
    });

    app.post('/export', { schema: { tags, operationId: 'exportMetadata', summary: 'The model metadata document: models, current model and figures', response: { 200: ExportResponse } } }, async () => ({ success: true as const, document: manager.exportDocument() }));

    app.post('/import', { schema: { tags, operationId: 'importMetadata', summary: 'Apply an exported document, or the old system\'s model_metadata.json', body: ImportBody, response: { 200: ImportResponse } } }, async (req) => {
      const r = await manager.importDocument(req.body);
      return { success: true as const, message: `Imported ${r.imported.length} model(s) from ${r.format === 'legacy' ? "the old system's" : 'a Junmai'} metadata file.`, ...r };
    });
  };
}

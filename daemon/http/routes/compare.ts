import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Calibrations } from '../../compare/calibrations.js';
import type { CompareService } from '../../compare/service.js';
import {
  CalibrationDeleteRequest, CalibrationDeleteResponse, CalibrationsResponse, CompareIdParams, CompareListQuery, CompareListResponse, CompareRequest,
  CompareResultsResponse, CompareRunResponse,
} from '../../schemas/compare.js';

/**
 * A body may carry every photo inline (base64): room for a few hundred small renditions. Larger
 * sets send image_path instead.
 */
export const COMPARE_BODY_LIMIT_BYTES = 128 * 1024 * 1024;

/** Comparison runs answer at once with the run; progress is read from it or pushed over /ws. */
export function compareRoutes(service: CompareService, calibrations: Calibrations): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['compare'];
    app.post('/compare', { bodyLimit: COMPARE_BODY_LIMIT_BYTES, schema: { tags, body: CompareRequest, response: { 202: CompareRunResponse } } }, async (req, reply) =>
      reply.code(202).send({ success: true as const, run: await service.start(req.body) }),
    );

    app.get('/compare', { schema: { tags, querystring: CompareListQuery, response: { 200: CompareListResponse } } }, async (req) => {
      const runs = service.list(req.query.limit);
      return { success: true as const, runs, count: runs.length };
    });

    app.get('/compare/:id', { schema: { tags, params: CompareIdParams, response: { 200: CompareResultsResponse } } }, async (req) => ({
      success: true as const,
      ...service.results(req.params.id),
    }));

    app.delete('/compare/:id', { schema: { tags, params: CompareIdParams, response: { 200: CompareRunResponse } } }, async (req) => ({
      success: true as const,
      run: service.cancel(req.params.id),
    }));

    app.post('/compare/:id/resume', { schema: { tags, params: CompareIdParams, response: { 202: CompareRunResponse } } }, async (req, reply) =>
      reply.code(202).send({ success: true as const, run: service.resume(req.params.id) }),
    );

    app.post('/compare/:id/calibrate', { schema: { tags, params: CompareIdParams, response: { 200: CalibrationsResponse } } }, async (req) => ({
      success: true as const,
      calibrations: calibrations.fit(req.params.id),
    }));

    app.get('/calibrations', { schema: { tags, response: { 200: CalibrationsResponse } } }, async () => ({
      success: true as const,
      calibrations: calibrations.list(),
    }));

    app.delete('/calibrations', { schema: { tags, body: CalibrationDeleteRequest, response: { 200: CalibrationDeleteResponse } } }, async (req) => ({
      success: true as const,
      ...calibrations.remove(req.body.model),
    }));
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Calibrations } from '../../compare/calibrations.js';
import type { CompareService } from '../../compare/service.js';
import { errors } from '../openapi.js';
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
    app.post('/compare', { bodyLimit: COMPARE_BODY_LIMIT_BYTES, schema: { tags, operationId: 'startComparison', summary: 'Compare models on photos the photographer has already judged', body: CompareRequest, response: { 202: CompareRunResponse, ...errors(409, 502, 503, 504) } } }, async (req, reply) =>
      reply.code(202).send({ success: true as const, run: await service.start(req.body) }),
    );

    app.get('/compare', { schema: { tags, operationId: 'listComparisons', summary: 'Comparison runs, newest first', querystring: CompareListQuery, response: { 200: CompareListResponse } } }, async (req) => {
      const runs = service.list(req.query.limit);
      return { success: true as const, runs, count: runs.length };
    });

    app.get('/compare/:id', { schema: { tags, operationId: 'getComparison', summary: 'One comparison run and, per model, what was measured so far', params: CompareIdParams, response: { 200: CompareResultsResponse, ...errors(404, 414) } } }, async (req) => ({
      success: true as const,
      ...service.results(req.params.id),
    }));

    app.delete('/compare/:id', { schema: { tags, operationId: 'cancelComparison', summary: 'Stop a comparison; finished photos are kept', params: CompareIdParams, response: { 200: CompareRunResponse, ...errors(404, 414) } } }, async (req) => ({
      success: true as const,
      run: service.cancel(req.params.id),
    }));

    app.post('/compare/:id/resume', { schema: { tags, operationId: 'resumeComparison', summary: 'Continue an interrupted or failed comparison with the photos left', params: CompareIdParams, response: { 202: CompareRunResponse, ...errors(404, 409, 414, 503) } } }, async (req, reply) =>
      reply.code(202).send({ success: true as const, run: service.resume(req.params.id) }),
    );

    app.post('/compare/:id/calibrate', { schema: { tags, operationId: 'calibrateFromComparison', summary: 'Fit each model\'s stars to the photographer\'s from a completed comparison', params: CompareIdParams, response: { 200: CalibrationsResponse, ...errors(404, 409, 414) } } }, async (req) => ({
      success: true as const,
      calibrations: calibrations.fit(req.params.id),
    }));

    app.get('/calibrations', { schema: { tags, operationId: 'listCalibrations', summary: 'Each model\'s calibration to the photographer\'s stars', response: { 200: CalibrationsResponse } } }, async () => ({
      success: true as const,
      calibrations: calibrations.list(),
    }));

    app.delete('/calibrations', { schema: { tags, operationId: 'deleteCalibration', summary: 'Forget a model\'s calibration', body: CalibrationDeleteRequest, response: { 200: CalibrationDeleteResponse } } }, async (req) => ({
      success: true as const,
      ...calibrations.remove(req.body.model),
    }));
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RunsService } from '../../runs/service.js';
import {
  AppendChangesRequest, CreateRunRequest, RunDetailResponse, RunIdParams, RunListQuery, RunListResponse, RunResponse, UndoRunRequest,
} from '../../schemas/runs.js';
import { errors } from '../openapi.js';

/** AI runs: what the plugin wrote to photos, and what its undo restored. */
export function runRoutes(service: RunsService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['runs'];
    app.post('/runs', { schema: { tags, operationId: 'createRun', summary: 'Start recording an AI run', body: CreateRunRequest, response: { 201: RunResponse } } }, async (req, reply) =>
      reply.code(201).send({ success: true as const, run: service.create(req.body) }),
    );

    app.get('/runs', { schema: { tags, operationId: 'listRuns', summary: 'Recent AI runs, newest first', querystring: RunListQuery, response: { 200: RunListResponse } } }, async (req) => {
      const runs = service.list(req.query.limit);
      return { success: true as const, runs, count: runs.length };
    });

    app.get('/runs/:id', { schema: { tags, operationId: 'getRun', summary: 'One AI run with every change it recorded', params: RunIdParams, response: { 200: RunDetailResponse, ...errors(404, 414) } } }, async (req) => ({
      success: true as const,
      ...service.detail(req.params.id),
    }));

    app.post('/runs/:id/changes', { schema: { tags, operationId: 'recordRunChanges', summary: 'Record the values before and after of photos the run changed', params: RunIdParams, body: AppendChangesRequest, response: { 200: RunResponse, ...errors(404, 409, 414) } } }, async (req) => ({
      success: true as const,
      run: service.append(req.params.id, req.body),
    }));

    app.post('/runs/:id/undo', { schema: { tags, operationId: 'undoRun', summary: 'Record what undoing the run restored and what it left', params: RunIdParams, body: UndoRunRequest, response: { 200: RunResponse, ...errors(404, 409, 414) } } }, async (req) => ({
      success: true as const,
      run: service.undo(req.params.id, req.body),
    }));
  };
}

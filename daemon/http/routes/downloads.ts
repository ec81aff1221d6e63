import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DownloadService } from '../../downloads/jobs.js';
import type { ModelManager } from '../../models/manager.js';
import { preflightDownload, type PreflightOptions } from '../../downloads/preflight.js';
import { errors } from '../openapi.js';
import { DownloadRequest, DownloadResponse, JobListQuery, JobListResponse, JobParams, JobResponse } from '../../schemas/api.js';

/** Downloads answer at once with a job; progress is read from the job (or pushed over /ws). */
export function downloadRoutes(manager: ModelManager, downloads: DownloadService, preflight: Omit<PreflightOptions, 'manager'>): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['downloads'];
    app.post('/download', { schema: { tags, operationId: 'startDownload', summary: 'Download a model into Ollama, or join its download under way', body: DownloadRequest, response: { 202: DownloadResponse, ...errors(409, 422, 502, 503, 504) } } }, async (req, reply) => {
      const target = manager.downloadTarget(req.body.model);
      // In turn with deletes and switches: a delete must not slip between the checks and the start.
      const { job, created } = await manager.exclusive(async () => {
        // A download already under way is joined, never refused: it passed these checks when it started.
        if (!downloads.isDownloading(target.name)) {
          await preflightDownload({ ...preflight, manager }, target.name, target.expected_bytes, req.body.force ?? false);
        }
        return downloads.start(target.name, target.expected_bytes, target.pull_name);
      });
      return reply.code(202).send({
        success: true as const,
        message: !created ? `${target.name} is already being downloaded.` : job.update_check ? `${target.name} is installed; checking Ollama's library for a newer version.` : `Downloading ${target.name}.`,
        model: target.name,
        job,
        ...(target.note ? { note: target.note } : {}),
      });
    });

    app.get('/downloads', { schema: { tags, operationId: 'listDownloads', summary: 'Download jobs, active ones first', querystring: JobListQuery, response: { 200: JobListResponse } } }, async (req) => {
      const jobs = downloads.list(req.query.limit);
      return { success: true as const, jobs, count: jobs.length };
    });

    app.get('/downloads/:id', { schema: { tags, operationId: 'getDownload', summary: 'One download job and its progress', params: JobParams, response: { 200: JobResponse, ...errors(404, 414) } } }, async (req) => ({
      success: true as const,
      job: downloads.get(req.params.id),
    }));

    app.delete('/downloads/:id', { schema: { tags, operationId: 'cancelDownload', summary: 'Cancel a download', params: JobParams, response: { 200: JobResponse, ...errors(404, 414) } } }, async (req) => ({
      success: true as const,
      job: downloads.cancel(req.params.id),
    }));

    app.post('/downloads/:id/resume', { schema: { tags, operationId: 'resumeDownload', summary: 'Continue a stopped download where it stopped', params: JobParams, response: { 202: JobResponse, ...errors(404, 409, 414) } } }, async (req, reply) =>
      // In turn with deletes, like a new download: a resumed pull must not slip between a delete's checks and the delete.
      reply.code(202).send({ success: true as const, job: await manager.exclusive(async () => downloads.resume(req.params.id)) }),
    );
  };
}

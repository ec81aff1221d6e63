import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../errors.js';
import { ClientGone, type EvaluationService } from '../../evaluation/evaluate.js';
import { EvaluateRequest, EvaluateResponse } from '../../schemas/evaluate.js';
import { sendError } from '../errors.js';
import { errors } from '../openapi.js';

/** Room in the body for the JSON around a base64 image: the other fields are small. */
const JSON_SLACK_BYTES = 64 * 1024;
/** Room for the catalog's keyword tree: 20,000 keywords with synonyms at about 400 bytes each. */
const VOCABULARY_BYTES = 8 * 1024 * 1024;

/** The body limit that lets a base64 image up to `maxImageBytes` and a vocabulary through (base64 is 4 bytes per 3). */
export function evaluateBodyLimit(maxImageBytes: number): number {
  return Math.ceil(maxImageBytes / 3) * 4 + VOCABULARY_BYTES + JSON_SLACK_BYTES;
}

/** POST /api/evaluate. Long calls are fine: Fastify's requestTimeout covers receiving the request, not answering it. */
export function evaluateRoutes(service: EvaluationService, maxImageBytes: number): FastifyPluginAsyncZod {
  return async (app) => {
    // Evaluations the daemon holds, from their first byte to their answer. The limiter refuses (and
    // records) a photo beyond its slots and queue once the photo's body is read; here, at twice
    // that, a request is refused before its body (up to a 25 MB image in base64) is read at all,
    // so memory is bounded by this count and not by how many clients send at once.
    const capacity = 2 * (service.limiter.concurrency + service.limiter.maxQueue);
    const admitted = new WeakSet<object>();
    let held = 0;
    const leave = async (req: object) => {
      if (admitted.delete(req)) held--;
    };
    app.post(
      '/evaluate',
      {
        bodyLimit: evaluateBodyLimit(maxImageBytes),
        onRequest: async (req) => {
          if (held >= capacity) {
            throw new AppError('BUSY', `Junmai already has ${held} photo(s) in hand. Send fewer photos at once, or try again shortly.`, { held, capacity });
          }
          held++;
          admitted.add(req);
        },
        onResponse: async (req) => leave(req),
        onRequestAbort: async (req) => leave(req),
        schema: { tags: ['evaluation'], operationId: 'evaluatePhoto', summary: 'A model\'s rating, flag, keywords and caption for one photo', body: EvaluateRequest, response: { 200: EvaluateResponse, ...errors(404, 409, 502, 503, 504) } },
        // A body too large for this route can only be an image too large; say so in the route's own terms.
        errorHandler: (err: FastifyError, req, reply) =>
          sendError(
            reply,
            req,
            err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? new AppError('IMAGE_TOO_LARGE', `The image is larger than the ${(maxImageBytes / 1048576).toFixed(1)} MB limit. Export it smaller, or raise JUNMAI_EVAL_MAX_IMAGE_BYTES.`, { max_bytes: maxImageBytes })
              : err,
          ),
      },
      async (req, reply) => {
        // A plugin that gives up (or Lightroom quitting) frees the Ollama slot instead of leaving it to a photo nobody awaits.
        const gone = new AbortController();
        const onClose = () => {
          if (!reply.raw.writableEnded) gone.abort(new ClientGone('The client closed the connection.'));
        };
        reply.raw.once('close', onClose);
        try {
          return await service.evaluate(req.body, gone.signal);
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    );
  };
}

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../errors.js';

export interface ErrorBody {
  success: false;
  error: string;
  code: string;
  details?: Record<string, unknown>;
}

export function errorBody(err: AppError): ErrorBody {
  return { success: false, error: err.message, code: err.code, ...(err.details ? { details: err.details } : {}) };
}

const WHERE: Record<string, string> = { body: 'the request body', querystring: 'the query string', params: 'the address', headers: 'the headers' };

/** A zod issue list as one sentence: `model: expected text; priority: use one of speed, balanced, quality`. */
function validationSentence(err: FastifyError & { validation: { instancePath: string; message?: string }[] }): string {
  const where = WHERE[err.validationContext ?? 'body'] ?? 'the request';
  const parts = err.validation.slice(0, 4).map((v) => {
    const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return field ? `${field}: ${v.message ?? 'invalid'}` : (v.message ?? 'invalid');
  });
  return `Something in ${where} is not valid: ${parts.join('; ')}.`;
}

/** Turns anything thrown into the one error shape; nothing internal (stack, SQL, paths) leaves the daemon. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as FastifyError & { code?: string };
  if (hasZodFastifySchemaValidationErrors(err)) return new AppError('INVALID_REQUEST', validationSentence(err as never));
  const own = fastifyOwnError(e.code);
  if (own) return own;
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send this request with "Content-Type: application/json" and a JSON body.');
    case 'SQLITE_FULL':
      return new AppError('DISK_FULL', 'The disk holding Junmai\'s database is full, so nothing was saved. Free some space and try again.');
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new AppError('STORAGE_ERROR', 'Junmai\'s database is busy; nothing was saved. Try again in a moment.');
  }
  if (e instanceof SyntaxError) return new AppError('MALFORMED_JSON', 'The request body is not valid JSON.');
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    return new AppError('STORAGE_ERROR', 'Junmai could not read or write its database; nothing was changed. The daemon log has the details.');
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('INVALID_REQUEST', 'The request is not valid.');
  }
  return new AppError('INTERNAL_ERROR', 'Something went wrong inside the Junmai daemon. The daemon log has the details.');
}

export function sendError(reply: FastifyReply, req: FastifyRequest, err: unknown): FastifyReply {
  const appErr = toAppError(err);
  // An AppError is an expected condition (Ollama down, disk full): one line. Anything else is a bug: the stack.
  if (isAppError(err)) {
    if (appErr.status >= 500) req.log.warn({ code: appErr.code }, appErr.message);
  } else if (appErr.status >= 500) req.log.error({ err }, appErr.message);
  return reply.code(appErr.status).type('application/json').send(errorBody(appErr));
}

/** Errors Fastify raises itself, before any route runs, in the photographer's terms. */
function fastifyOwnError(code: string | undefined): AppError | undefined {
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return new AppError('MALFORMED_REQUEST', 'This request was refused: its address has a "%" that is not followed by two hexadecimal digits. Encode the address with encodeURIComponent.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URI_TOO_LONG', 'This request was refused: its address is too long.');
  }
  return undefined;
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, a request
 * that cannot be parsed, one not received within the request timeout). They are answered here in
 * the same error shape, and the connection is closed: after a parse error nothing else on it can
 * be trusted. No Host or token check is possible: there are no headers to check.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const appErr =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', 'This request was refused: its address or headers are too large.')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', 'This request was not received in time, so the connection was closed. Send it again.')
        : new AppError('MALFORMED_REQUEST', 'This request was refused: it is not a well-formed HTTP request.');
  const body = JSON.stringify(errorBody(appErr));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appErr.status} ${STATUS_CODES[appErr.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

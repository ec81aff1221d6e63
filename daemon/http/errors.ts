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

/** One issue of a schema validation as fastify-type-provider-zod hands it over: the zod issue's code, path, message and the rest. */
interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: {
    origin?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    inclusive?: boolean;
    expected?: string;
    values?: unknown[];
    keys?: string[];
    format?: string;
  };
}

/** zod's own messages ("Too small: expected string to have >=1 characters") are for programmers; ours are kept. */
const ZOD_DEFAULT = /^(Too (small|big)|Invalid (input|option|key|element|union|string|format)|Unrecognized key|Expected )/;

const KIND: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object' };

/** `image_path`, `fields[0]`: the field as a client wrote it. */
function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

function limitPhrase(v: ValidationIssue, atLeast: boolean): string {
  const p = v.params ?? {};
  const n = Number(atLeast ? p.minimum : p.maximum);
  const bound = atLeast ? (p.inclusive === false ? 'more than' : 'at least') : p.inclusive === false ? 'less than' : 'at most';
  if (p.origin === 'string') return atLeast && n === 1 ? 'must not be empty' : `must be ${bound} ${n} characters long`;
  if (p.origin === 'array' || p.origin === 'set') return atLeast && n === 1 ? 'must not be empty' : `must have ${bound} ${n} items`;
  return `must be ${bound} ${n}`;
}

/** One issue as a phrase after the field's name: `must not be empty`, `must be one of speed, balanced, quality`. */
function issuePhrase(v: ValidationIssue): string {
  const custom = v.message && !ZOD_DEFAULT.test(v.message) ? v.message : undefined;
  if (custom) return custom;
  const p = v.params ?? {};
  switch (v.keyword) {
    case 'invalid_type':
      return / received undefined$/.test(v.message ?? '') ? 'is missing' : `must be ${KIND[p.expected ?? ''] ?? p.expected ?? 'of another type'}`;
    case 'too_small':
      return limitPhrase(v, true);
    case 'too_big':
      return limitPhrase(v, false);
    case 'invalid_value':
      return `must be one of ${(p.values ?? []).map(String).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${p.format ?? 'value'}`;
    case 'unrecognized_keys':
      return `has fields Junmai does not know: ${(p.keys ?? []).join(', ')}`;
    default:
      return 'is not valid';
  }
}

/**
 * A schema validation failure as sentences naming the fields: `image_path must not be empty.` A custom
 * message that already names its field (`model must be text such as "gemma3:4b"`) is used as it is.
 */
export function validationSentence(context: string | undefined, issues: readonly ValidationIssue[]): string {
  const where = WHERE[context ?? 'body'] ?? 'the request';
  const seen = new Set<string>();
  const sentences: string[] = [];
  for (const v of issues.flatMap(unionBranch)) {
    const field = fieldName(v.instancePath);
    // One sentence per field: an empty path is also not absolute, and saying both is noise.
    if (seen.has(field) || sentences.length === 3) continue;
    seen.add(field);
    const phrase = issuePhrase(v);
    const subject = field || where;
    let sentence: string;
    if (field === '' && v.keyword === 'invalid_type') sentence = `${where} must be a JSON object`;
    else if (phrase.startsWith(`${field} `) || (field === '' && !/^(must|is|has) /.test(phrase))) sentence = phrase;
    else if (/^(must|is|has) /.test(phrase)) sentence = `${subject} ${phrase}`;
    else sentence = `${field}: ${phrase}`;
    // A field name keeps its case; a sentence of ours starts with a capital.
    if (field === '' || !sentence.startsWith(field)) sentence = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    sentences.push(/[.!?]$/.test(sentence) ? sentence : `${sentence}.`);
  }
  return sentences.join(' ');
}

/**
 * A body that matches no branch of a union (one usage record or a list of them) is explained by the
 * branch it came closest to: the one whose first complaint is deepest inside the body.
 */
function unionBranch(v: ValidationIssue): ValidationIssue[] {
  const branches = (v.params as { errors?: Array<Array<{ code: string; path: PropertyKey[]; message: string }>> } | undefined)?.errors;
  if (v.keyword !== 'invalid_union' || !branches?.length) return [v];
  const depth = (b: (typeof branches)[number]) => b[0]?.path.length ?? -1;
  const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  return best.map(({ code, path, message, ...params }) => ({
    keyword: code,
    instancePath: `${v.instancePath.replace(/\/$/, '')}/${path.map(String).join('/')}`,
    message,
    params,
  }));
}

/** Turns anything thrown into the one error shape; nothing internal (stack, SQL, paths) leaves the daemon. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as FastifyError & { code?: string };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const v = err as FastifyError & { validation: ValidationIssue[] };
    return new AppError('INVALID_REQUEST', validationSentence(v.validationContext, v.validation));
  }
  switch (e.code) {
    // Fastify's own refusals before any route runs, in the photographer's terms.
    case 'FST_ERR_BAD_URL':
      return new AppError('MALFORMED_REQUEST', 'This request was refused: its address has a "%" that is not followed by two hexadecimal digits. Encode the address with encodeURIComponent.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URI_TOO_LONG', 'This request was refused: its address is too long.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('MALFORMED_REQUEST', 'This request was refused: its body is not as long as its Content-Length says.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
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
    if (appErr.status >= 500) req.log.warn({ reqId: req.id, code: appErr.code }, appErr.message);
  } else if (appErr.status >= 500) req.log.error({ reqId: req.id, err }, appErr.message);
  return reply.code(appErr.status).type('application/json').send(errorBody(appErr));
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, a request
 * that cannot be parsed, one not received within the request timeout). They are answered here in
 * the same error shape, and the connection is closed: after a parse error nothing else on it can
 * be trusted. No Host or token check is possible: there are no headers to check.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  answerOnSocket(
    socket,
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', 'This request was refused: its address or headers are too large.')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', 'This request was not received in time, so the connection was closed. Send it again.')
        : new AppError('MALFORMED_REQUEST', 'This request was refused: it is not a well-formed HTTP request.'),
  );
}

/** The error shape written straight onto a socket no Fastify reply owns, which is then closed. */
export function answerOnSocket(socket: Socket, err: unknown): void {
  const appErr = toAppError(err);
  const body = JSON.stringify(errorBody(appErr));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appErr.status} ${STATUS_CODES[appErr.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

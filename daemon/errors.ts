/**
 * The daemon's one error type. Services throw it; http/errors.ts turns it into
 * `{success: false, error, code}` with its status. `error` is written for a photographer,
 * `code` is stable for programs, `details` carries facts a client may show (never a stack).
 */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  MALFORMED_JSON: 400,
  INVALID_MODEL_NAME: 400,
  INVALID_IMPORT: 400,
  NO_CURRENT_MODEL: 400,
  MODEL_NOT_VISION: 400,
  IMAGE_NOT_FOUND: 400,
  IMAGE_UNREADABLE: 400,
  UNSUPPORTED_IMAGE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN_HOST: 403,
  FORBIDDEN_ORIGIN: 403,
  CLOUD_MODEL_REFUSED: 403,
  MODEL_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  COMPARISON_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  MODEL_NOT_INSTALLED: 409,
  MODEL_IN_USE: 409,
  MODEL_DOWNLOADING: 409,
  JOB_NOT_RESUMABLE: 409,
  REQUEST_TIMEOUT: 408,
  URI_TOO_LONG: 414,
  COMPARISON_NOT_RESUMABLE: 409,
  COMPARISON_NOT_COMPLETED: 409,
  NO_VISION_MODELS: 409,
  RUN_ALREADY_UNDONE: 409,
  UPGRADE_REQUIRED: 426,
  HEADERS_TOO_LARGE: 431,
  BODY_TOO_LARGE: 413,
  IMAGE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_DISK: 507,
  WONT_FIT: 422,
  INTERNAL_ERROR: 500,
  STORAGE_ERROR: 500,
  DISK_FULL: 507,
  OLLAMA_ERROR: 502,
  OLLAMA_OUTDATED: 502,
  MODEL_OUTPUT_INVALID: 502,
  MODEL_OUTPUT_TRUNCATED: 502,
  OLLAMA_UNREACHABLE: 503,
  BUSY: 503,
  OLLAMA_TIMEOUT: 504,
  STALLED: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/**
 * Failures that say nothing about the model: the photo or the request was at fault, or Ollama was
 * not there to run it. They are recorded, so the photographer sees what went wrong, but they do not
 * lower a model's success rate or its standing in a recommendation. Any other failure (an invalid
 * answer after the retry, an error from Ollama while running the model, a code this daemon does not
 * know) counts against the model.
 */
export const NOT_THE_MODEL: ReadonlySet<string> = new Set([
  'INVALID_REQUEST', 'INVALID_MODEL_NAME', 'NO_CURRENT_MODEL', 'MODEL_NOT_VISION', 'MODEL_NOT_FOUND', 'MODEL_NOT_INSTALLED',
  'IMAGE_NOT_FOUND', 'IMAGE_UNREADABLE', 'UNSUPPORTED_IMAGE', 'IMAGE_TOO_LARGE',
  'OLLAMA_UNREACHABLE', 'OLLAMA_TIMEOUT', 'BUSY', 'CLIENT_CLOSED', 'INTERRUPTED', 'DISK_FULL', 'STORAGE_ERROR',
  // An Ollama too old for structured answers, or a cloud model the photographer has not allowed.
  'OLLAMA_OUTDATED', 'CLOUD_MODEL_REFUSED',
]);

/** Whose fault a recorded failure was; null for a success. */
export type Fault = 'model' | 'caller';
export function faultOf(success: boolean, errorCode: string | null): Fault | null {
  if (success) return null;
  return errorCode !== null && NOT_THE_MODEL.has(errorCode) ? 'caller' : 'model';
}

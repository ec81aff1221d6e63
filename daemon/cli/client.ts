import envPaths from 'env-paths';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ErrorBody } from '../schemas/api.js';
import { TOKEN_FILE } from '../token.js';
import { CliError, EXIT } from './errors.js';

/** A daemon busy with Ollama (sync, switch) answers within its own 10 s timeout; this only catches a hung one. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface ClientOptions {
  url: string;
  token?: string | undefined;
  timeoutMs?: number;
}

export interface Answer<T> {
  /** Parsed with the shared schema, so the fields a command reads are the ones the daemon promised. */
  data: T;
  /** The body exactly as the daemon sent it, for --json. */
  raw: unknown;
}

export function defaultUrl(env = process.env): string {
  return env.JUNMAI_URL || `http://127.0.0.1:${env.JUNMAI_PORT || 5100}`;
}

/**
 * --token, then JUNMAI_TOKEN, then the file the daemon generates when it listens beyond loopback.
 * Only the data dir is read from the environment here: loadConfig would refuse to run the CLI over
 * settings the CLI never uses.
 */
export function resolveToken(flag: string | undefined, env = process.env): string | undefined {
  if (flag) return flag;
  if (env.JUNMAI_TOKEN) return env.JUNMAI_TOKEN;
  try {
    const token = readFileSync(join(localDataDir(env), TOKEN_FILE), 'utf8').trim();
    return token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}

/** The data folder a daemon started from this shell would use; the running daemon's own is in /api/health. */
export function localDataDir(env = process.env): string {
  return env.JUNMAI_DATA_DIR || envPaths('junmai', { suffix: '' }).data;
}

export function notRunning(url: string, detail?: string): CliError {
  return new CliError(
    `The Junmai daemon is not running at ${url}${detail ? ` (${detail})` : ''}. ` +
      'Start it with `npm start` in the Junmai checkout, or with `junmai serve`.',
    EXIT.NOT_RUNNING,
    'DAEMON_NOT_RUNNING',
  );
}

export class Client {
  readonly url: string;
  readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(o: ClientOptions) {
    this.url = o.url.replace(/\/+$/, '');
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  get<S extends z.ZodType>(path: string, schema: S): Promise<Answer<z.infer<S>>> {
    return this.request('GET', path, schema);
  }

  /** Mutating routes refuse anything but JSON, so a body-less call still sends `{}`. */
  post<S extends z.ZodType>(path: string, schema: S, body: unknown = {}): Promise<Answer<z.infer<S>>> {
    return this.request('POST', path, schema, body);
  }

  delete<S extends z.ZodType>(path: string, schema: S, body: unknown = {}): Promise<Answer<z.infer<S>>> {
    return this.request('DELETE', path, schema, body);
  }

  headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<Answer<z.infer<S>>> {
    const where = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers: { accept: 'application/json', ...this.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.unreachable(err);
    }
    const text = await res.text().catch(() => '');
    let raw: unknown;
    try {
      raw = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CliError(`${this.url} answered ${where} with something that is not JSON (HTTP ${res.status}); is it really the Junmai daemon?`, EXIT.DAEMON_ERROR, 'NOT_JUNMAI');
    }
    if (!res.ok) {
      const err = ErrorBody.safeParse(raw);
      if (err.success) throw new CliError(err.data.error, EXIT.DAEMON_ERROR, err.data.code, raw);
      throw new CliError(`The daemon answered ${where} with HTTP ${res.status} and no error sentence.`, EXIT.DAEMON_ERROR, 'UNEXPECTED_ANSWER', raw);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      // Loud on purpose: a renamed field would otherwise print as "undefined" in a table.
      const issue = parsed.error.issues[0];
      const at = issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'unknown difference';
      throw new CliError(
        `The daemon's answer to ${where} does not match what this junmai expects (${at}). Are the CLI and the daemon from the same version?`,
        EXIT.DAEMON_ERROR,
        'CONTRACT_MISMATCH',
        raw,
      );
    }
    return { data: parsed.data, raw };
  }

  private unreachable(err: unknown): CliError {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return new CliError(`The Junmai daemon at ${this.url} did not answer within ${Math.round(this.timeoutMs / 1000)} s.`, EXIT.NOT_RUNNING, 'DAEMON_TIMEOUT');
    }
    const code = e.cause?.code;
    return notRunning(this.url, code && code !== 'ECONNREFUSED' ? code : undefined);
  }
}

import envPaths from 'env-paths';
import { isIP } from 'node:net';
import { z } from 'zod';
import { keepAliveFromSetting, type KeepAlive } from './ollama/keep-alive.js';

/**
 * The daemon's settings, read once from the environment and validated, so that a typo stops the
 * daemon at start with one line instead of surfacing later as a strange failure.
 */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  ollamaUrl: string;
  /** Required on every request when set; generated when the daemon listens beyond loopback. */
  token: string | undefined;
  ollamaTimeoutMs: number;
  bodyLimitBytes: number;
  /** Where Ollama keeps its models (OLLAMA_MODELS), when set: the disk a download must fit on. */
  ollamaModelsDir: string | undefined;
  /** Downloads are refused when they would leave less than this free on that disk. */
  minFreeDiskBytes: number;
  downloadConcurrency: number;
  /** A download with no progress for this long fails with STALLED. */
  stallMs: number;
  /** Open connections at most; further ones are closed at once (see README). */
  maxConnections: number;
  evaluation: EvaluationConfig;
}

/** POST /api/evaluate's limits; the README describes each variable. */
export interface EvaluationConfig {
  /** Evaluations sent to Ollama at once: its parallel slots (OLLAMA_NUM_PARALLEL) unless JUNMAI_EVAL_CONCURRENCY says otherwise. */
  concurrency: number;
  /** Evaluations waiting for a slot before further ones are refused with 503 BUSY. */
  maxQueue: number;
  maxImageBytes: number;
  /** How long Ollama keeps the model loaded after an evaluation or warm-up: seconds (negative: for good) or a Go duration. */
  keepAlive: KeepAlive;
  /**
   * options.num_ctx of every evaluation and warm-up (the same for both, or the first photo reloads the model),
   * and the context the memory estimates, min_vram_gb and recommendations assume.
   */
  contextLength: number;
  /** Whether photos may go to models that run on ollama.com (`*-cloud`): off unless the photographer opts in. */
  allowCloudModels: boolean;
  /** Longest silence from Ollama during an evaluation (the model load included) before 504 OLLAMA_TIMEOUT. */
  idleTimeoutMs: number;
  cacheMaxRows: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Shortest access token accepted, from JUNMAI_TOKEN or the token file: 32 characters resist guessing over a network. */
export const MIN_TOKEN_LENGTH = 32;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const EnvSchema = z.object({
  JUNMAI_PORT: integer('JUNMAI_PORT', 1, 65535).default(5100),
  JUNMAI_HOST: z
    .string()
    .min(1, 'JUNMAI_HOST must not be empty')
    .refine((h) => isIP(h.replace(/^\[|\]$/g, '')) !== 0 || h === 'localhost', {
      message: 'JUNMAI_HOST must be an IP address such as 127.0.0.1 (or "localhost")',
    })
    .default('127.0.0.1'),
  JUNMAI_DATA_DIR: z.string().min(1, 'JUNMAI_DATA_DIR must not be empty').optional(),
  JUNMAI_TOKEN: z.string().min(MIN_TOKEN_LENGTH, `JUNMAI_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`).optional(),
  JUNMAI_OLLAMA_TIMEOUT_MS: integer('JUNMAI_OLLAMA_TIMEOUT_MS', 100, 600_000).default(10_000),
  JUNMAI_BODY_LIMIT_BYTES: integer('JUNMAI_BODY_LIMIT_BYTES', 1024, 512 * 1024 * 1024).default(4 * 1024 * 1024),
  JUNMAI_MIN_FREE_DISK_GB: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'JUNMAI_MIN_FREE_DISK_GB must be a number of gigabytes')
    .transform(Number)
    .default(2),
  JUNMAI_DOWNLOAD_CONCURRENCY: integer('JUNMAI_DOWNLOAD_CONCURRENCY', 1, 8).default(1),
  JUNMAI_STALL_SECONDS: integer('JUNMAI_STALL_SECONDS', 5, 3600).default(60),
  JUNMAI_MAX_CONNECTIONS: integer('JUNMAI_MAX_CONNECTIONS', 8, 10_000).default(1024),
  OLLAMA_HOST: z.string().optional(),
  OLLAMA_MODELS: z.string().min(1).optional(),
  OLLAMA_NUM_PARALLEL: integer('OLLAMA_NUM_PARALLEL', 1, 64).default(1),
  JUNMAI_EVAL_CONCURRENCY: integer('JUNMAI_EVAL_CONCURRENCY', 1, 64).optional(),
  JUNMAI_EVAL_QUEUE: integer('JUNMAI_EVAL_QUEUE', 0, 10_000).default(64),
  JUNMAI_EVAL_MAX_IMAGE_BYTES: integer('JUNMAI_EVAL_MAX_IMAGE_BYTES', 1024, 256 * 1024 * 1024).default(25 * 1024 * 1024),
  JUNMAI_EVAL_KEEP_ALIVE: z
    .string()
    .transform((text, ctx) => {
      const r = keepAliveFromSetting(text);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: `JUNMAI_EVAL_KEEP_ALIVE must be a duration such as 30m or 1h30m, or whole seconds such as -1 (as long as Ollama runs) or 0 (${r.error})` });
      return z.NEVER;
    })
    .default('30m'),
  JUNMAI_NUM_CTX: integer('JUNMAI_NUM_CTX', 2048, 262_144).default(8192),
  JUNMAI_ALLOW_CLOUD_MODELS: z
    .enum(['true', 'false', '1', '0'], { error: 'JUNMAI_ALLOW_CLOUD_MODELS must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .default(false),
  JUNMAI_EVAL_TIMEOUT_MS: integer('JUNMAI_EVAL_TIMEOUT_MS', 1000, 3_600_000).default(300_000),
  JUNMAI_EVAL_CACHE_MAX_ROWS: integer('JUNMAI_EVAL_CACHE_MAX_ROWS', 0, 10_000_000).default(50_000),
});

/**
 * OLLAMA_HOST in every form Ollama itself accepts: `host`, `host:port`, `:port`, `scheme://host[:port][/path]`,
 * `[v6]:port`. Like Ollama, a bare host gets port 11434, `http://host` port 80 and `https://host` 443.
 * A listen-everywhere address (0.0.0.0, ::) is where Ollama listens, not an address to call: we call loopback.
 */
export function parseOllamaHost(value: string | undefined): string {
  const raw = (value ?? '').trim();
  if (raw === '') return 'http://127.0.0.1:11434';
  const notUrl = (why: string) => new ConfigError(`OLLAMA_HOST "${raw}" is not a valid URL (${why}); use a form such as http://127.0.0.1:11434`);
  let scheme = 'http';
  let rest = raw;
  let defaultPort = '11434';
  const sep = raw.indexOf('://');
  if (sep >= 0) {
    scheme = raw.slice(0, sep).toLowerCase();
    rest = raw.slice(sep + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
    else throw notUrl(`it must use http:// or https://, not ${scheme}://`);
  }
  const slash = rest.indexOf('/');
  const path = slash >= 0 ? rest.slice(slash) : '';
  const hostPort = slash >= 0 ? rest.slice(0, slash) : rest;
  let host: string;
  let port: string;
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort);
  if (v6) {
    host = v6[1] ?? '';
    port = v6[2] ?? defaultPort;
  } else if (isIP(hostPort) === 6) {
    host = hostPort;
    port = defaultPort;
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    port = colon >= 0 ? hostPort.slice(colon + 1) : defaultPort;
  }
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw notUrl(`the port must be a number from 1 to 65535, not "${port}"`);
  }
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  if (!/^[A-Za-z0-9.\-_:]+$/.test(host)) throw notUrl(`"${host}" is not a host name`);
  const shownHost = isIP(host) === 6 ? `[${host}]` : host;
  return `${scheme}://${shownHost}:${port}${path.replace(/\/+$/, '')}`;
}

/**
 * The address a client on this machine uses to reach a daemon listening on `host:port`: a
 * listen-everywhere address is reached on loopback, an IPv6 host is bracketed.
 */
export function daemonUrl(host: string, port: number | string): string {
  let h = host.replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0') h = '127.0.0.1';
  if (h === '::') h = '::1';
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(issue?.message ?? 'invalid environment');
  }
  const e = parsed.data;
  return {
    host: e.JUNMAI_HOST.replace(/^\[|\]$/g, ''),
    port: e.JUNMAI_PORT,
    dataDir: e.JUNMAI_DATA_DIR ?? envPaths('junmai', { suffix: '' }).data,
    ollamaUrl: parseOllamaHost(e.OLLAMA_HOST),
    token: e.JUNMAI_TOKEN,
    ollamaTimeoutMs: e.JUNMAI_OLLAMA_TIMEOUT_MS,
    bodyLimitBytes: e.JUNMAI_BODY_LIMIT_BYTES,
    ollamaModelsDir: e.OLLAMA_MODELS,
    // Disk in GB of 10^9 bytes, as Ollama and disk makers count it (memory alone is in GiB).
    minFreeDiskBytes: Math.round(e.JUNMAI_MIN_FREE_DISK_GB * 1e9),
    downloadConcurrency: e.JUNMAI_DOWNLOAD_CONCURRENCY,
    stallMs: e.JUNMAI_STALL_SECONDS * 1000,
    maxConnections: e.JUNMAI_MAX_CONNECTIONS,
    evaluation: {
      concurrency: e.JUNMAI_EVAL_CONCURRENCY ?? e.OLLAMA_NUM_PARALLEL,
      maxQueue: e.JUNMAI_EVAL_QUEUE,
      maxImageBytes: e.JUNMAI_EVAL_MAX_IMAGE_BYTES,
      keepAlive: e.JUNMAI_EVAL_KEEP_ALIVE,
      contextLength: e.JUNMAI_NUM_CTX,
      allowCloudModels: e.JUNMAI_ALLOW_CLOUD_MODELS,
      idleTimeoutMs: e.JUNMAI_EVAL_TIMEOUT_MS,
      cacheMaxRows: e.JUNMAI_EVAL_CACHE_MAX_ROWS,
    },
  };
}

import { AppError } from '../errors.js';

/**
 * Ollama's model-name grammar, `[host/][namespace/]model[:tag]`, checked before a name reaches a
 * query, a log line or Ollama: parts of [A-Za-z0-9_.-] (no dot in a namespace), at most 128
 * characters in all as Ollama allows. We are stricter than Ollama in two ways that cost a
 * photographer nothing: every part starts with a letter, digit or underscore, and `..` never
 * appears, so no name can read as a path (`../../etc/passwd`, `.`, `-rf`).
 */
export const MAX_MODEL_NAME_LENGTH = 128;

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NAMESPACE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const DEFAULT_REGISTRY = 'registry.ollama.ai';
const DEFAULT_NAMESPACE = 'library';

export interface ParsedName {
  host?: string;
  namespace?: string;
  model: string;
  tag: string;
}

function invalid(reason: string): AppError {
  return new AppError('INVALID_MODEL_NAME', `That is not a valid model name: ${reason}.`);
}

export function parseModelName(input: unknown): ParsedName {
  if (typeof input !== 'string') throw invalid('a model name must be text such as "gemma3:4b"');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) throw invalid('it contains control characters');
  const raw = input.trim();
  if (raw.length === 0) throw invalid('it is empty');
  if (raw.length > MAX_MODEL_NAME_LENGTH) throw invalid(`it is longer than ${MAX_MODEL_NAME_LENGTH} characters`);
  if (raw.includes('..')) throw invalid('it contains ".."');
  const colon = raw.lastIndexOf(':');
  const slash = raw.lastIndexOf('/');
  const hasTag = colon > slash;
  const path = hasTag ? raw.slice(0, colon) : raw;
  const tag = hasTag ? raw.slice(colon + 1) : 'latest';
  const segments = path.split('/');
  if (segments.length > 3) throw invalid('it has too many "/" parts');
  const model = segments[segments.length - 1] ?? '';
  const namespace = segments.length >= 2 ? segments[segments.length - 2] : undefined;
  const host = segments.length === 3 ? segments[0] : undefined;
  if (!PART.test(model)) throw invalid('use letters, digits, ".", "-" and "_" only, such as "llama3.2:3b"');
  if (!PART.test(tag)) throw invalid('the part after ":" must be letters, digits, ".", "-" or "_"');
  if (namespace !== undefined && !NAMESPACE.test(namespace)) throw invalid('the part before "/" is not a valid namespace');
  if (host !== undefined && !PART.test(host)) throw invalid('the registry part is not a valid host name');
  return { ...(host ? { host } : {}), ...(namespace ? { namespace } : {}), model, tag };
}

/**
 * The one spelling we store and compare: lower case (Ollama compares names case-insensitively),
 * an explicit tag (`gemma3` is `gemma3:latest`), and the default registry and namespace dropped
 * (`registry.ollama.ai/library/gemma3:4b` is `gemma3:4b`), exactly as `ollama list` shows names.
 */
export function canonicalModelName(input: unknown): string {
  const p = parseModelName(input);
  const host = p.host?.toLowerCase();
  let namespace = p.namespace?.toLowerCase();
  const keepHost = host !== undefined && host !== DEFAULT_REGISTRY;
  if (!keepHost && namespace === DEFAULT_NAMESPACE) namespace = undefined;
  const prefix = [keepHost ? host : undefined, namespace].filter(Boolean).join('/');
  const base = `${p.model}:${p.tag}`.toLowerCase();
  return prefix ? `${prefix}/${base}` : base;
}

import { AppError } from '../errors.js';

/**
 * Ollama's model-name grammar (types/model/name.go, ParseNameBare and isValidPart):
 * `[scheme://][host/][namespace/]model[:tag]`, where
 * - host: a letter, digit or `_`, then letters, digits, `_ - . :` (so a port is fine), 1–350 characters;
 * - namespace: a letter, digit or `_`, then letters, digits, `_ -`, 1–80 characters;
 * - model and tag: a letter, digit or `_`, then letters, digits, `_ - .`, 1–80 characters each.
 * A host needs a namespace (`localhost:5000/ns/model`); the tag is whatever follows the last `:`
 * after the last `/`. We accept exactly what Ollama accepts. Surrounding spaces are trimmed, as
 * Ollama 0.17.6+ does (internal/modelref ParseRef). A scheme is whatever precedes the host's first
 * `://`, unchecked, as in Ollama; a pull ignores it (PullHandler re-parses name.DisplayShortest()).
 */
export const MAX_HOST_LENGTH = 350;
export const MAX_PART_LENGTH = 80;

const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const NAMESPACE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
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

function check(part: string, pattern: RegExp, max: number, what: string, allowed: string): void {
  if (part.length === 0) throw invalid(`the ${what} is empty`);
  if (part.length > max) throw invalid(`the ${what} is longer than ${max} characters`);
  if (!pattern.test(part)) throw invalid(`the ${what} must start with a letter, digit or "_" and hold only ${allowed}`);
}

/** Splits at the last `sep`, as Ollama's cutPromised does. */
function cutLast(s: string, sep: string): [string, string] | undefined {
  const i = s.lastIndexOf(sep);
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + sep.length)];
}

export function parseModelName(input: unknown): ParsedName {
  if (typeof input !== 'string') throw invalid('a model name must be text such as "gemma3:4b"');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) throw invalid('it contains control characters');
  let rest = input.trim();
  if (rest.length === 0) throw invalid('it is empty');

  let tag = 'latest';
  if (rest.lastIndexOf(':') > rest.lastIndexOf('/')) [rest, tag] = cutLast(rest, ':') as [string, string];
  const afterModel = cutLast(rest, '/');
  const model = afterModel ? afterModel[1] : rest;
  let namespace: string | undefined;
  let host: string | undefined;
  if (afterModel) {
    const afterNamespace = cutLast(afterModel[0], '/');
    namespace = afterNamespace ? afterNamespace[1] : afterModel[0];
    if (afterNamespace) {
      host = afterNamespace[0];
      const schemed = host.indexOf('://');
      // Nothing after the scheme: Ollama's Merge fills in its own registry (name.go ParseName).
      if (schemed >= 0) host = host.slice(schemed + 3) || undefined;
      if (host?.includes('/')) throw invalid('it has too many "/" parts; the most is registry/namespace/model');
    }
  }

  check(model, PART, MAX_PART_LENGTH, 'model name', 'letters, digits, ".", "-" and "_", such as "llama3.2"');
  check(tag, PART, MAX_PART_LENGTH, 'part after ":"', 'letters, digits, ".", "-" and "_", such as "3b"');
  if (namespace !== undefined) check(namespace, NAMESPACE, MAX_PART_LENGTH, 'part before "/"', 'letters, digits, "-" and "_"');
  if (host !== undefined) check(host, HOST, MAX_HOST_LENGTH, 'registry part', 'letters, digits, ".", "-", "_" and ":" for a port');
  return { ...(host ? { host } : {}), ...(namespace ? { namespace } : {}), model, tag };
}

/**
 * The one spelling we store and compare: lower case (Ollama compares names case-insensitively),
 * an explicit tag (`gemma3` is `gemma3:latest`), and the default registry and namespace dropped
 * (`registry.ollama.ai/library/gemma3:4b` is `gemma3:4b`), exactly as `ollama list` shows names
 * (Name.DisplayShortest). A scheme only says how to reach the registry, so it is not part of it.
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

/**
 * The name to send Ollama when pulling: the photographer's own spelling (only trimmed), because a
 * registry such as hf.co may tell `Q4_K_M` from `q4_k_m` even though Ollama's local store does not.
 */
export function pullSpelling(input: unknown): string {
  parseModelName(input);
  return (input as string).trim();
}

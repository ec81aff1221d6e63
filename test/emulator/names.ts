interface Name {
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

const DEFAULT_HOST = 'registry.ollama.ai';
const MISSING = '!MISSING!';

/**
 * Ollama's ParseName (types/model/name.go): ParseNameBare, then the defaults merged in. Cut parts
 * that are empty become `!MISSING!`, which no part rule accepts; the scheme is dropped.
 */
function parseName(input: string): Name {
  let s = input.trim(); // internal/modelref ParseRef trims first (0.17.6+).
  const cut = (sep: string): string | undefined => {
    const i = s.lastIndexOf(sep);
    if (i < 0) return undefined;
    const after = s.slice(i + sep.length) || MISSING;
    s = s.slice(0, i) || MISSING;
    return after;
  };
  let tag = '';
  let namespace = '';
  let host = '';
  if (s.lastIndexOf(':') > s.lastIndexOf('/')) tag = cut(':') ?? '';
  let model = cut('/');
  if (model === undefined) model = s;
  else {
    const ns = cut('/');
    if (ns === undefined) namespace = s;
    else {
      namespace = ns;
      const schemed = s.indexOf('://');
      host = schemed >= 0 ? s.slice(schemed + 3) : s;
    }
  }
  return { host: host || DEFAULT_HOST, namespace: namespace || 'library', model, tag: tag || 'latest' };
}

/** isValidPart (name.go): an alphanumeric or `_` first, then `_ -`, `.` except in a namespace, `:` only in a host. */
function validPart(kind: 'host' | 'namespace' | 'model' | 'tag', part: string): boolean {
  const max = kind === 'host' ? 350 : 80;
  const rest = kind === 'host' ? /^[A-Za-z0-9_.:-]*$/ : kind === 'namespace' ? /^[A-Za-z0-9_-]*$/ : /^[A-Za-z0-9_.-]*$/;
  return part.length >= 1 && part.length <= max && /^[A-Za-z0-9_]/.test(part) && rest.test(part.slice(1));
}

/** Whether Ollama takes the name (ParseName(s).IsValid()); it answers 400 otherwise. */
export function isValidName(input: string): boolean {
  const n = parseName(input);
  return validPart('host', n.host) && validPart('namespace', n.namespace) && validPart('model', n.model) && validPart('tag', n.tag);
}

/**
 * A name as Ollama stores and lists it (Name.DisplayShortest): the spelling it was given, without a
 * scheme, with `:latest` filled in and the default registry and namespace (`registry.ollama.ai/library/`)
 * left out.
 */
export function displayName(input: string): string {
  const n = parseName(input);
  let prefix = '';
  if (n.host.toLowerCase() !== DEFAULT_HOST) prefix = `${n.host}/${n.namespace}/`;
  else if (n.namespace.toLowerCase() !== 'library') prefix = `${n.namespace}/`;
  return `${prefix}${n.model}:${n.tag}`;
}

/** Ollama compares names case-insensitively, so all lookups go through this key. */
export function nameKey(input: string): string {
  return displayName(input).toLowerCase();
}

/**
 * Registries other than Ollama's own may match names case-sensitively (a Hugging Face quant tag is
 * `Q4_K_M`, not `q4_k_m`): only Ollama's registry is known to be forgiving.
 */
export function caseSensitiveRegistry(input: string): boolean {
  return parseName(input).host.toLowerCase() !== DEFAULT_HOST;
}

/** Ollama's capability errors name the model in full (`registry.ollama.ai/library/x:tag`). */
export function fullName(key: string): string {
  const parts = key.split('/');
  if (parts.length === 1) return `registry.ollama.ai/library/${key}`;
  if (parts.length === 2) return `registry.ollama.ai/${key}`;
  return key;
}

/** The text model name Ollama reads from a request: `model`, or the legacy `name`. */
export function requestedName(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  if (typeof b.model === 'string' && b.model !== '') return b.model;
  if (typeof b.name === 'string') return b.name;
  return '';
}

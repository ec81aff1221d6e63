/**
 * A name as Ollama stores and lists it (Name.DisplayShortest): the spelling it was given, without a
 * scheme, with `:latest` filled in and the default registry and namespace (`registry.ollama.ai/library/`)
 * left out.
 */
export function displayName(input: string): string {
  let name = input.trim().replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  name = name.replace(/^registry\.ollama\.ai\//i, '');
  if (name.split('/').length === 2) name = name.replace(/^library\//i, '');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) name += ':latest';
  return name;
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
  const parts = displayName(input).split('/');
  return parts.length === 3;
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

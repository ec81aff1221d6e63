/**
 * Ollama compares names case-insensitively, fills in `:latest`, and treats the default registry
 * and namespace (`registry.ollama.ai/library/`) as absent, so all lookups go through this key.
 */
export function nameKey(input: string): string {
  let name = input.trim().toLowerCase();
  name = name.replace(/^(https?:\/\/)?registry\.ollama\.ai\//, '');
  name = name.replace(/^library\//, '');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) name += ':latest';
  return name;
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

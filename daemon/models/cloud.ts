import { AppError } from '../errors.js';
import type { ModelRow } from '../store/models-repo.js';

/**
 * Cloud models: Ollama 0.12+ lists them in /api/tags with a remote_host and a stub of a few hundred
 * bytes, and runs them on ollama.com. Ollama also sends any name whose tag is `cloud` or ends in
 * `-cloud` there, listed or not (internal/modelref: parseSourceSuffix), so the name alone counts too.
 */
export function isCloudModel(name: string, row: Pick<ModelRow, 'remote_host'> | undefined): boolean {
  if (row?.remote_host) return true;
  const colon = name.lastIndexOf(':');
  const tag = colon >= 0 && !name.slice(colon + 1).includes('/') ? name.slice(colon + 1).toLowerCase() : '';
  return tag === 'cloud' || tag.endsWith('-cloud');
}

/** The one refusal of a cloud model, for an evaluation or a switch, while the photographer has not opted in. */
export function cloudRefusal(name: string, action: string): AppError {
  return new AppError(
    'CLOUD_MODEL_REFUSED',
    `${name} runs on ollama.com, not on this computer, so ${action} would send your photos to the internet. Choose a local model, or set JUNMAI_ALLOW_CLOUD_MODELS=true if you want that.`,
    { model: name },
  );
}

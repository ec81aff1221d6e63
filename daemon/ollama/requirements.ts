/**
 * What the daemon needs of Ollama, by the release that brought it (read from Ollama's history):
 * - 0.5.0: a JSON schema as `format` (api: structured outputs, 630e7dc6f). Before it `format` was a
 *   string and an object is refused with 400, so no photo can be evaluated at all.
 * - 0.6.4: `capabilities` in /api/show (e172f095b). Without it Junmai cannot tell which installed
 *   models see images.
 */
export const EVALUATION_MIN_OLLAMA = '0.5.0';
export const RECOMMENDED_MIN_OLLAMA = '0.6.4';

/** Major, minor, patch of `0.12.6` or `0.13.0-rc1`; null for what is no release number. */
function parse(version: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return null;
  const parts: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // A build from source reports 0.0.0 (version/version.go): its age is unknown, not ancient.
  return parts.every((n) => n === 0) ? null : parts;
}

/** True when `version` is a release older than `min`; false when it is newer or cannot be told. */
export function olderThan(version: string | null | undefined, min: string): boolean {
  const v = version ? parse(version) : null;
  const m = parse(min);
  if (!v || !m) return false;
  for (let i = 0; i < 3; i++) {
    if ((v[i] as number) !== (m[i] as number)) return (v[i] as number) < (m[i] as number);
  }
  return false;
}

/** The sentence a photographer reads when Ollama is too old, or null when it is recent enough. */
export function outdatedSentence(version: string | null | undefined): string | null {
  if (olderThan(version, EVALUATION_MIN_OLLAMA)) {
    return `Ollama ${version} is too old to evaluate photos: Junmai needs Ollama ${RECOMMENDED_MIN_OLLAMA} or newer (${EVALUATION_MIN_OLLAMA} at the very least, for structured answers). Update Ollama from ollama.com/download.`;
  }
  if (olderThan(version, RECOMMENDED_MIN_OLLAMA)) {
    return `Ollama ${version} is out of date: update Ollama to ${RECOMMENDED_MIN_OLLAMA} or newer from ollama.com/download, so Junmai can tell which models see images.`;
  }
  return null;
}

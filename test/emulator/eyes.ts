import { sampleFromSchema } from './schema-sample.js';
import type { GenerateInput } from './types.js';
import { hash32, isRecord } from './util.js';

/**
 * How an emulated vision model judges a photo, so that agreement between a model and a
 * photographer is something a test can measure rather than noise. Every model with eyes sees the
 * same quality in an image (derived from the image's bytes); `invert` makes a contrarian that
 * rates the best photos worst, `shift` one whose stars are offset (clamped to 1–5).
 */
export interface Eyes {
  invert?: boolean;
  shift?: number;
}

const SUBJECTS = ['sunset', 'portrait', 'harbor', 'mountain', 'street', 'forest', 'studio', 'festival', 'window', 'meadow'];

/** The quality, 1–5, every model with eyes sees in a base64 image. */
export function perceivedQuality(imageBase64: string): number {
  return 1 + (hash32(`quality\n${imageBase64}`) % 5);
}

/** The two subjects every model with eyes sees in a base64 image, most important first. */
export function perceivedSubjects(imageBase64: string): string[] {
  const h = hash32(`subjects\n${imageBase64}`);
  const first = h % SUBJECTS.length;
  const second = (first + 1 + ((h >>> 8) % (SUBJECTS.length - 1))) % SUBJECTS.length;
  return [SUBJECTS[first] as string, SUBJECTS[second] as string];
}

/** The flag a rating implies: keepers from 4 stars, discards at 1–2. */
export function flagFor(rating: number): 'pick' | 'reject' | 'none' {
  return rating >= 4 ? 'pick' : rating <= 2 ? 'reject' : 'none';
}

/** The model's answer when it has eyes and was shown one image with a JSON schema; undefined otherwise. */
export function eyesAnswer(input: GenerateInput, eyes: Record<string, Eyes> | undefined): string | undefined {
  const own = eyes?.[input.model];
  const image = input.images[0];
  if (!own || image === undefined || !isRecord(input.format)) return undefined;
  const seen = perceivedQuality(image);
  const rating = Math.min(5, Math.max(1, (own.invert ? 6 - seen : seen) + (own.shift ?? 0)));
  // A contrarian also sees other things in the picture: the subjects the others do not name.
  const subjects = own.invert ? SUBJECTS.filter((s) => !perceivedSubjects(image).includes(s)).slice(0, 2) : perceivedSubjects(image);
  const answer = sampleFromSchema(input.format, hash32(`${input.model}\n${image}`));
  if (!isRecord(answer)) return undefined;
  const props = isRecord(input.format.properties) ? input.format.properties : {};
  if ('rating' in props) answer.rating = rating;
  if ('flag' in props) answer.flag = flagFor(rating);
  // Ollama's grammar holds the answer to the schema, so no more keywords than its maxItems.
  const maxKeywords = isRecord(props.keywords) && typeof props.keywords.maxItems === 'number' ? props.keywords.maxItems : subjects.length;
  if ('keywords' in props) {
    const allowed = keywordEnum(props.keywords);
    // With an enum the grammar lets the model write only its values: what it sees, as the list spells it,
    // or (seeing none of them) whatever the grammar's sampling picked from the list.
    const seen = allowed ? subjects.flatMap((s) => allowed.filter((a) => a.toLowerCase() === s || a.toLowerCase() === `${s}s`)) : subjects;
    if (!allowed || seen.length > 0) answer.keywords = seen.slice(0, maxKeywords);
  }
  return JSON.stringify(answer, null, 2);
}

/** The values a keyword list's items are held to, when the schema has an enum of them. */
function keywordEnum(schema: unknown): string[] | undefined {
  const items = isRecord(schema) && isRecord(schema.items) ? schema.items : undefined;
  return items && Array.isArray(items.enum) ? items.enum.filter((v): v is string => typeof v === 'string') : undefined;
}

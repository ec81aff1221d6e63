import { createHash } from 'node:crypto';
import type { ChatMessage } from '../ollama/gateway.js';
import { ollamaFormat, type AnswerSchema, type AnswerSpec } from './schema.js';

/**
 * Bump whenever the wording below or the Evaluation schema changes what a model would answer:
 * it is part of the cache key, so cached answers to an older prompt are never served.
 */
export const PROMPT_VERSION = 1;

/** Everything besides the image and the model that decides what the model is asked. */
export interface PromptSpec extends AnswerSpec {
  language: string;
  temperature: number | undefined;
  seed: number | undefined;
}

const SYSTEM = [
  'You are an experienced photo editor helping a photographer cull, rate and tag photos in Lightroom Classic.',
  'Judge the photo as it is: sharpness where it matters, exposure, composition, timing, and whether it would make someone stop and look.',
  'Be honest: most photos of a shoot are 2 or 3 stars; 5 stars is rare. Describe only what you can see.',
  'Answer with one JSON object and nothing else.',
].join(' ');

/** The field list comes from the schema's own descriptions, so the prompt names exactly the fields the grammar allows. */
export function buildMessages(spec: PromptSpec, schema: AnswerSchema, imageBase64: Buffer, retryProblem?: string): ChatMessage[] {
  const properties = (ollamaFormat(schema).properties ?? {}) as Record<string, { description?: string }>;
  const lines = spec.fields.map((f) => `- ${f}: ${properties[f]?.description ?? f}${f === 'keywords' ? ` (at most ${spec.maxKeywords})` : ''}`);
  const user = [
    'Evaluate this photo. Fill in these fields:',
    ...lines,
    // The grammar holds the model to the list; the model can only choose well from a list it has read.
    ...(spec.keywordEnum?.length && spec.fields.includes('keywords') ? [`Choose keywords only from this list: ${spec.keywordEnum.join('; ')}.`] : []),
    `Write the text fields in ${spec.language}.`,
    // A second attempt says what was wrong: the same words would likely get the same answer.
    ...(retryProblem ? [`Your previous answer could not be used (${retryProblem}). Answer again with one JSON object that follows the schema exactly.`] : []),
  ].join('\n');
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user, images: [imageBase64] },
  ];
}

/** The cache key: the same image, model build and question always get the same answer back. */
export function cacheKey(imageSha256: string, modelDigest: string, spec: PromptSpec): string {
  const question = {
    v: PROMPT_VERSION,
    fields: [...spec.fields].sort(),
    maxKeywords: spec.maxKeywords,
    language: spec.language.toLowerCase(),
    temperature: spec.temperature ?? null,
    seed: spec.seed ?? null,
    // Only when the vocabulary is part of the question: mapping onto it happens after the cache.
    ...(spec.keywordEnum ? { keywordEnum: createHash('sha256').update(JSON.stringify(spec.keywordEnum)).digest('hex') } : {}),
  };
  return createHash('sha256').update(`${imageSha256}\n${modelDigest}\n${JSON.stringify(question)}`).digest('hex');
}

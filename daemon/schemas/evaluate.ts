import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { goDurationError, MAX_KEEP_ALIVE_SECONDS } from '../ollama/keep-alive.js';
import { ModelName } from './api.js';

/**
 * POST /api/evaluate. `Evaluation` is the one definition of what a model says about a photo:
 * the structured-output schema Ollama constrains the model with, the check of its answer and the
 * response below are all derived from it (daemon/evaluation/schema.ts).
 */
export const EVALUATION_FIELDS = ['rating', 'flag', 'keywords', 'caption', 'title', 'reasons'] as const;
export type EvaluationField = (typeof EVALUATION_FIELDS)[number];

export const MAX_KEYWORDS = 50;
export const DEFAULT_KEYWORDS = 10;
export const MAX_VOCABULARY = 20_000;
export const VOCABULARY_NAME_MAX = 200;

const text = (max: number) => z.string().trim().min(1).max(max);

export const Evaluation = z.object({
  rating: z.int().min(1).max(5).describe('Star rating from 1 (reject-worthy) to 5 (portfolio-worthy), judged on focus, exposure, composition, moment and impact'),
  flag: z.enum(['pick', 'reject', 'none']).describe('pick for a keeper, reject for a technical failure or an obvious discard, none when undecided'),
  keywords: z.array(text(40)).max(MAX_KEYWORDS).describe('Lightroom keywords for what is visibly in the photo: subjects, place type, activity, mood; most important first'),
  caption: text(300).describe('One or two sentences describing the photo, as a caption'),
  title: text(80).describe('A short title, a few words'),
  reasons: z.array(text(160)).min(1).max(3).describe('One to three short reasons for the rating and flag'),
});
export type Evaluation = z.infer<typeof Evaluation>;

export const imagePath = z
  .string()
  .min(1)
  .max(4096)
  // eslint-disable-next-line no-control-regex
  .refine((p) => !/[\u0000]/.test(p), 'must not contain NUL characters')
  .refine((p) => isAbsolute(p), 'must be an absolute path to an image file on this computer')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ".." segments');

/**
 * A keyword of the photographer's catalog, named as the plugin sends it ("Kyoto", or a path
 * "Places|Japan|Kyoto"), with its synonyms. Answers use the name exactly as sent.
 */
export const VocabularyEntry = z.object({
  name: z.string().trim().min(1).max(VOCABULARY_NAME_MAX),
  synonyms: z.array(z.string().trim().min(1).max(VOCABULARY_NAME_MAX)).max(100).optional(),
});
export type VocabularyEntry = z.infer<typeof VocabularyEntry>;

/**
 * What the vocabulary does to the model's keywords: `prefer` maps them onto it and lets new ones
 * through (listed in `keywords_new`), `only` lets nothing else through, `free` leaves them alone.
 */
export const KeywordPolicy = z.enum(['prefer', 'only', 'free']);
export type KeywordPolicy = z.infer<typeof KeywordPolicy>;

export const EvaluateOptions = z.object({
  /** Most keywords to ask for. */
  max_keywords: z.int().min(1).max(MAX_KEYWORDS).optional(),
  /** Language of the caption, title, keywords and reasons, e.g. "English", "Deutsch". */
  language: z.string().trim().min(2).max(40).regex(/^[\p{L} ()-]+$/u, 'use a language name such as "English"').optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.int().min(0).max(2 ** 31 - 1).optional(),
  /** false: ask the model even when the same photo was evaluated the same way before. */
  cache: z.boolean().optional(),
  /** `prefer` when a vocabulary is sent, `free` otherwise; `only` needs a vocabulary. */
  keyword_policy: KeywordPolicy.optional(),
  /**
   * How long Ollama keeps the model loaded afterwards, as Ollama takes it: seconds as a number (negative: as
   * long as Ollama runs) or a Go duration string ("30m", "1h30m"); the daemon's setting when absent.
   */
  keep_alive: z
    .union([
      z.number().finite().max(MAX_KEEP_ALIVE_SECONDS),
      z.string().superRefine((s, ctx) => {
        const error = goDurationError(s);
        if (error) ctx.addIssue({ code: 'custom', message: `${error}: use a duration such as "30m", or a number of seconds such as -1 (not in quotes)` });
      }),
    ])
    .optional(),
});
export type EvaluateOptions = z.infer<typeof EvaluateOptions>;

export const EvaluateRequest = z
  .object({
    image_path: imagePath.optional(),
    /** The image bytes in base64; a `data:image/...;base64,` prefix is allowed. */
    image_base64: z.string().min(1).optional(),
    /** The client's id for the photo (Lightroom's local id), stored with the usage row. */
    photo_id: z.string().min(1).max(512).optional(),
    /** The current model when absent. */
    model: ModelName.optional(),
    /** Which fields to ask for; all of them when absent. */
    fields: z.array(z.enum(EVALUATION_FIELDS)).min(1).max(EVALUATION_FIELDS.length).optional(),
    options: EvaluateOptions.optional(),
    /** The catalog's keywords, for the model's keywords to be mapped onto (see `options.keyword_policy`). */
    vocabulary: z.array(VocabularyEntry).max(MAX_VOCABULARY).optional(),
  })
  .refine((b) => (b.image_path === undefined) !== (b.image_base64 === undefined), {
    message: 'send exactly one of image_path and image_base64',
  })
  .refine((b) => b.options?.keyword_policy !== 'only' || b.vocabulary !== undefined, {
    message: 'is "only", which needs a vocabulary: send the catalog\'s keywords as vocabulary',
    path: ['options', 'keyword_policy'],
  });
export type EvaluateRequest = z.infer<typeof EvaluateRequest>;

const ms = z.number().nullable();

export const EvaluationTimings = z.object({
  /** Wall time in the daemon from receiving the request to answering, queue included. */
  daemon_ms: z.number(),
  /** Time spent waiting for a free Ollama slot. */
  queue_ms: z.number(),
  /** Ollama's own figures, summed over attempts; null on a cache hit. */
  total_ms: ms,
  load_ms: ms,
  prompt_eval_ms: ms,
  eval_ms: ms,
  prompt_tokens: z.number().nullable(),
  eval_tokens: z.number().nullable(),
});
export type EvaluationTimings = z.infer<typeof EvaluationTimings>;

export const EvaluateResponse = z.object({
  success: z.literal(true),
  photo_id: z.string().nullable(),
  model: z.string(),
  /**
   * Only the fields asked for. When the photographer's calibration for this model applies
   * (POST /api/compare/<id>/calibrate), `rating` is the calibrated star and `rating_raw` the model's own.
   */
  result: Evaluation.partial().extend({
    rating_raw: z.int().min(1).max(5).optional(),
    /** After the vocabulary: a vocabulary's names as sent, or the model's own words. */
    keywords: z.array(z.string().max(VOCABULARY_NAME_MAX)).optional(),
    /** Those of `keywords` not in the vocabulary (all of them without one, none under `only`). */
    keywords_new: z.array(z.string().max(VOCABULARY_NAME_MAX)).optional(),
  }),
  cache_hit: z.boolean(),
  /** Model calls made: 1, or 2 when the first answer was not a valid evaluation; 0 on a cache hit. */
  attempts: z.number(),
  prompt_version: z.number(),
  image: z.object({ format: z.enum(['jpeg', 'png', 'tiff', 'webp']), bytes: z.number(), sha256: z.string() }),
  timings: EvaluationTimings,
});
export type EvaluateResponse = z.infer<typeof EvaluateResponse>;

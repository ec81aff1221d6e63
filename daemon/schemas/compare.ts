import { z } from 'zod';
import { ModelName } from './api.js';
import { EvaluateOptions, imagePath, MAX_KEYWORDS } from './evaluate.js';

/**
 * Comparison runs (issue 15): photos the photographer has already judged, evaluated by several
 * models, and how far each model agrees with the photographer.
 */
export const MAX_COMPARE_PHOTOS = 500;
export const MAX_COMPARE_MODELS = 8;

export const PhotographerFlag = z.enum(['pick', 'reject', 'none']);

export const ComparePhoto = z
  .object({
    photo_id: z.string().min(1).max(512),
    image_path: imagePath.optional(),
    /** The image bytes in base64; a `data:image/...;base64,` prefix is allowed. */
    image_base64: z.string().min(1).optional(),
    /** The photographer's stars; 0 is Lightroom's "unrated" and takes no part in rating agreement. */
    rating: z.int().min(0).max(5).optional(),
    pick: PhotographerFlag.optional(),
    keywords: z.array(z.string().trim().min(1).max(80)).max(MAX_KEYWORDS * 4).optional(),
  })
  .refine((p) => (p.image_path === undefined) !== (p.image_base64 === undefined), {
    message: 'send exactly one of image_path and image_base64 for each photo',
  });
export type ComparePhoto = z.infer<typeof ComparePhoto>;

/** What every photo is asked with; a comparison never answers from the evaluation cache (see README) and has no vocabulary. */
export const CompareOptions = EvaluateOptions.omit({ cache: true, keyword_policy: true });
export type CompareOptions = z.infer<typeof CompareOptions>;

export const CompareRequest = z.object({
  /** Every installed local vision model when absent. */
  models: z
    .array(ModelName)
    .min(1)
    .max(MAX_COMPARE_MODELS)
    .refine((m) => new Set(m).size === m.length, 'name each model once')
    .optional(),
  photos: z
    .array(ComparePhoto)
    .min(1)
    .max(MAX_COMPARE_PHOTOS)
    .refine((p) => new Set(p.map((x) => x.photo_id)).size === p.length, 'give each photo its own photo_id'),
  options: CompareOptions.optional(),
});
export type CompareRequest = z.infer<typeof CompareRequest>;

export const CompareStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);

const Problem = z.object({ code: z.string(), message: z.string() });

export const CompareRunView = z.object({
  id: z.string(),
  status: CompareStatus,
  models: z.array(z.string()),
  /** The model whose photos are being evaluated now; null when none is. */
  current_model: z.string().nullable(),
  photo_count: z.number().int(),
  /** Photo evaluations finished (any outcome) out of photos × models; a skipped model counts as finished. */
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  /** Times a model was loaded by Ollama during the run: one per model when nothing evicted it. */
  model_loads: z.number().int(),
  error: Problem.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});
export type CompareRunView = z.infer<typeof CompareRunView>;

const share = z.number().min(0).max(1).nullable();
const PrecisionRecall = z.object({ precision: share, recall: share });

export const CompareModelResult = z.object({
  model: z.string(),
  /** 1 for the model that agrees best; null for a model with no usable answers. */
  rank: z.number().int().nullable(),
  reasons: z.array(z.string()),
  status: z.enum(['pending', 'running', 'done', 'skipped']),
  error: Problem.nullable(),
  photos_done: z.number().int(),
  /** Failed photos by whose fault: the model's (an unusable answer, an error while running it) or not (the photo, the request, Ollama away). */
  failures: z.object({ model: z.number().int(), input: z.number().int() }),
  rating: z.object({
    /** Photos with the photographer's stars (1–5) and a rating from the model. */
    photos: z.number().int(),
    spearman: z.number().nullable(),
    /** Seeded percentile bootstrap, 90%: the same run always reports the same interval. */
    interval_90: z.object({ low: z.number(), high: z.number() }).nullable(),
  }),
  flags: z.object({ photos: z.number().int(), pick: PrecisionRecall, reject: PrecisionRecall, kappa: z.number().nullable() }),
  keywords: z.object({ photos: z.number().int(), recall: share, jaccard: share }),
  speed: z.object({
    warm_p50_seconds: z.number().nullable(),
    warm_p95_seconds: z.number().nullable(),
    photos_per_minute: z.number().nullable(),
    load_seconds: z.number().nullable(),
    loads: z.number().int(),
  }),
  /** What Ollama's /api/ps reported while the model was loaded for the run. */
  memory: z.object({ size_bytes: z.number(), vram_bytes: z.number().nullable() }).nullable(),
});
export type CompareModelResult = z.infer<typeof CompareModelResult>;

export const CompareIdParams = z.object({ id: z.string().min(1).max(64) });
export const CompareListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) });

export const CompareRunResponse = z.object({ success: z.literal(true), run: CompareRunView });
export const CompareListResponse = z.object({ success: z.literal(true), runs: z.array(CompareRunView), count: z.number().int() });
export const CompareResultsResponse = z.object({
  success: z.literal(true),
  run: CompareRunView,
  /** Best first. */
  results: z.array(CompareModelResult),
  /** One sentence: which model to use and why, or why the sample cannot tell. */
  summary: z.string(),
  /** Set when the photos are too few to tell the leading models apart. */
  sample_note: z.string().nullable(),
});
export type CompareResultsResponse = z.infer<typeof CompareResultsResponse>;

const FitView = z.object({ spearman: z.number().nullable(), mae: z.number() });

export const CalibrationView = z.object({
  model: z.string(),
  /** Whether later evaluations with this model return the calibrated `rating` (and the model's own as `rating_raw`). */
  applied: z.boolean(),
  /** Photos with the photographer's stars and the model's it was fitted on. */
  photos: z.number().int(),
  /** Agreement on photos not used for fitting (cross-validated): the model's own stars, then the calibrated ones. */
  before: FitView.nullable(),
  after: FitView.nullable(),
  /** The star given for each of the model's stars 1–5. */
  star_map: z.array(z.int().min(1).max(5)).length(5).nullable(),
  reason: z.string(),
  run_id: z.string().nullable(),
  created_at: z.string().nullable(),
});
export type CalibrationView = z.infer<typeof CalibrationView>;

export const CalibrationsResponse = z.object({ success: z.literal(true), calibrations: z.array(CalibrationView) });
export const CalibrationDeleteRequest = z.object({ model: ModelName });
export const CalibrationDeleteResponse = z.object({ success: z.literal(true), model: z.string(), removed: z.boolean() });

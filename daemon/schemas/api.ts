import { z } from 'zod';
import type { HardwareInfo } from '../hardware/types.js';

/**
 * Every request and response shape of the REST API, once. Routes validate with them, the CLI and
 * the tests parse with them, and /docs/json is generated from them.
 */
export const PURPOSES = ['speed', 'balanced', 'quality', 'specialized'] as const;
export const PRIORITIES = ['speed', 'balanced', 'quality'] as const;
export const CAPABILITIES = ['completion', 'vision', 'tools', 'thinking', 'embedding'] as const;
export const FITS = ['fits_gpu', 'fits_with_offload', 'does_not_fit'] as const;

export const Purpose = z.enum(PURPOSES);
export const Priority = z.enum(PRIORITIES);
export const Capability = z.enum(CAPABILITIES);
export const Fit = z.enum(FITS);

/** A model name as sent by a client; its grammar is checked by the model manager, which answers INVALID_MODEL_NAME. */
export const ModelName = z.string({ error: 'model must be text such as "gemma3:4b"' });

const queryBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'use true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Upper bounds of every number a client may send. Each is far above anything real (a day per photo,
 * ten million tokens) yet low enough that sums over millions of rows stay finite: an accepted value
 * must never make a later statistic Infinity, which JSON cannot carry.
 */
export const MAX_DURATION_MS = 86_400_000;
export const MAX_TOKENS = 10_000_000;
export const MAX_IMPORTED_USAGE = 1_000_000_000;
export const MAX_CONTEXT_LENGTH = 16_777_216;
/** Longest text field of an import document (names, families, dates); model names themselves stop at 128. */
export const MAX_IMPORT_TEXT = 256;
/** Most models one import document may hold: far more than anyone installs, few enough to check whole. */
export const MAX_IMPORT_MODELS = 1000;

const durationMs = z.number().nonnegative().max(MAX_DURATION_MS, `must be at most ${MAX_DURATION_MS} ms (one day)`);
const tokenCount = z.number().int().nonnegative().max(MAX_TOKENS, `must be at most ${MAX_TOKENS}`);

const gb = z.number({ error: 'must be a number of gigabytes' }).positive('must be more than 0').max(4096, 'must be at most 4096 GB');
const contextLength = z.number().int().min(256).max(1_048_576);
const numParallel = z.number().int().min(1).max(64);

/** Every refusal; its id makes /docs/json declare it once, as a shared component every error response refers to. */
export const ErrorBody = z
  .object({
    success: z.literal(false),
    error: z.string().describe('What went wrong, in a sentence a photographer understands'),
    code: z.string().describe('A stable code for programs (see the README\'s table)'),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ErrorBody' });

export const ModelStats = z.object({
  model: z.string(),
  count: z.number(),
  successes: z.number(),
  /** Photos the model itself failed (invalid answer after the retry, an Ollama error while running it). */
  failures: z.number(),
  /** Photos that failed through no fault of the model (missing or unreadable image, Ollama not running, a timeout); never in success_rate. */
  caller_faults: z.number(),
  /** successes / (successes + failures). */
  success_rate: z.number().nullable(),
  mean_ms: z.number().nullable(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  mean_load_ms: z.number().nullable(),
  tokens_per_second: z.number().nullable(),
  /** Photos answered from the evaluation cache; counted in count/successes, never in durations. */
  cache_hits: z.number(),
  /** Photos whose model load took over a second (the model was not in memory). */
  cold_starts: z.number(),
  /** Successful photos that did not wait for a load: the speed of a batch once it is running. */
  warm_mean_ms: z.number().nullable(),
  warm_p50_ms: z.number().nullable(),
  warm_p95_ms: z.number().nullable(),
  /** The plugin's end-to-end time per photo (POST /api/model/usage with client_ms). */
  mean_client_ms: z.number().nullable(),
  /** Model loads asked for on a switch; never counted as photos. */
  warmups: z.number(),
  mean_warmup_ms: z.number().nullable(),
  first_used: z.string().nullable(),
  last_used: z.string().nullable(),
  /** Figures carried over from an imported metadata file, never mixed into the measured ones. */
  imported: z
    .object({ usage_count: z.number().nullable(), avg_ms: z.number().nullable(), success_rate: z.number().nullable(), last_used: z.string().nullable() })
    .nullable(),
  // The old system's names for the same figures, kept for its clients (avg in seconds, as it was).
  usage_count: z.number(),
  avg_inference_time: z.number().nullable(),
});

export const ModelView = z.object({
  name: z.string(),
  display_name: z.string(),
  family: z.string().nullable(),
  source: z.enum(['catalog', 'custom']),
  purpose: Purpose.nullable(),
  capabilities: z.array(z.string()),
  vision: z.boolean(),
  parameter_size: z.string().nullable(),
  parameter_count: z.number().nullable(),
  quantization: z.string().nullable(),
  size_bytes: z.number().nullable(),
  size_gb: z.number().nullable(),
  min_vram_gb: z.number().nullable(),
  /** Whether it runs on this computer at the default context (list and info); null when the size or the hardware is unknown. */
  fit: Fit.nullable(),
  context_length: z.number().nullable(),
  /** The oldest Ollama that runs this catalog tag; null for models outside the catalog. */
  min_ollama_version: z.string().nullable(),
  description: z.string(),
  recommended_use: z.string(),
  installed: z.boolean(),
  /** Where Ollama runs a cloud model (`*-cloud`), e.g. https://ollama.com:443; null for a model that runs on this computer. */
  remote_host: z.string().nullable(),
  digest: z.string().nullable(),
  is_current: z.boolean(),
  usage_count: z.number(),
  avg_inference_time: z.number().nullable(),
  success_rate: z.number().nullable(),
  last_used: z.string().nullable(),
});
export type ModelView = z.infer<typeof ModelView>;

export const ListQuery = z.object({
  purpose: Purpose.optional(),
  max_vram: z.coerce.number({ error: 'max_vram must be a number of gigabytes' }).positive().max(4096).optional(),
  installed_only: queryBool.optional(),
  capability: Capability.optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ListResponse = z.object({
  success: z.literal(true),
  models: z.array(ModelView),
  count: z.number(),
  /** Whether Ollama answered at the last sync or status check; null before either. */
  ollama_reachable: z.boolean().nullable(),
  /** When the installed flags were last read from Ollama; null when never. */
  installed_as_of: z.string().nullable(),
  /** Present when Ollama is not answering: the installed flags are from installed_as_of. */
  note: z.string().optional(),
});

export const InfoResponse = z.object({ success: z.literal(true), model: ModelView, alias: z.string().optional(), note: z.string().optional() });

export const CurrentResponse = z.object({
  success: z.literal(true),
  current_model: z.string().nullable(),
  model: ModelView.nullable(),
  /** Whether Ollama has the current model in memory (/api/ps); null when Ollama does not answer or no model is current. */
  loaded: z.boolean().nullable(),
});

export const ModelRequest = z.object({ model: ModelName });
export const SwitchResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  current_model: z.string(),
  previous_model: z.string().nullable(),
  note: z.string().optional(),
  warning: z.string().optional(),
});

export const DeleteResponse = z.object({ success: z.literal(true), message: z.string(), model: z.string() });

export const DownloadRequest = z.object({ model: ModelName, force: z.boolean().optional() });

export const RecommendRequest = z.object({
  available_vram_gb: gb.optional(),
  priority: Priority.default('balanced'),
  /** What the model must do; photo evaluation needs vision, so that is the default. `any` lifts it. */
  capability: z.enum([...CAPABILITIES, 'any']).default('vision'),
  context_length: contextLength.optional(),
  num_parallel: numParallel.optional(),
});
export type RecommendRequest = z.infer<typeof RecommendRequest>;

export const MemoryEstimateGb = z.object({
  total_gb: z.number(),
  weights_gb: z.number(),
  kv_cache_gb: z.number(),
  graph_gb: z.number(),
  /** The vision encoder's scratch for one image, reserved beside the text model's. */
  vision_graph_gb: z.number(),
  projector_gb: z.number(),
  /** One layer and its cache Ollama holds spare while placing layers. */
  layer_buffer_gb: z.number(),
  overhead_gb: z.number(),
  context_length: z.number(),
  num_parallel: z.number(),
});

export const Available = z.object({
  gpu_memory_gb: z.number(),
  offload_memory_gb: z.number(),
  memory_source: z.string(),
  from: z.enum(['request', 'hardware']),
});

export const Candidate = z.object({
  model: z.string(),
  display_name: z.string(),
  installed: z.boolean(),
  fit: Fit,
  score: z.number(),
  estimate: MemoryEstimateGb,
  reasons: z.array(z.string()),
});

export const RecommendResponse = z.object({
  success: z.literal(true),
  recommended_model: z.string().nullable(),
  priority: Priority,
  capability: z.string(),
  available_vram_gb: z.number(),
  available: Available,
  download_needed: z.boolean(),
  message: z.string(),
  reasons: z.array(z.string()),
  recommendation: Candidate.nullable(),
  alternatives: z.array(Candidate),
});

export const CompatibilityRequest = z.object({
  model: ModelName,
  available_vram_gb: gb.optional(),
  context_length: contextLength.optional(),
  num_parallel: numParallel.optional(),
});
export type CompatibilityRequest = z.infer<typeof CompatibilityRequest>;

export const CompatibilityResponse = z.object({
  success: z.literal(true),
  model: z.string(),
  compatible: z.boolean(),
  fit: Fit,
  message: z.string(),
  estimate: MemoryEstimateGb,
  available: Available,
});

export const StatisticsQuery = z.object({ model: z.string().optional() });
export const StatisticsResponse = z.object({
  success: z.literal(true),
  statistics: z.record(z.string(), ModelStats),
  total_usage: z.number(),
});

export const DailyStatisticsQuery = z.object({
  model: ModelName,
  days: z.coerce.number().int().min(1).max(366).default(30),
});
export const DailyStatisticsResponse = z.object({
  success: z.literal(true),
  model: z.string(),
  days: z.array(
    z.object({
      day: z.string(),
      photos: z.number(),
      successes: z.number(),
      failures: z.number(),
      caller_faults: z.number(),
      cold_starts: z.number(),
      warm_p50_ms: z.number().nullable(),
      warm_p95_ms: z.number().nullable(),
    }),
  ),
});

export const UsageRecord = z.object({
  model: ModelName,
  duration_ms: durationMs,
  success: z.boolean(),
  photo_id: z.string().max(512).optional(),
  error_code: z.string().max(64).optional(),
  total_ms: durationMs.optional(),
  load_ms: durationMs.optional(),
  prompt_eval_ms: durationMs.optional(),
  eval_ms: durationMs.optional(),
  prompt_tokens: tokenCount.optional(),
  eval_tokens: tokenCount.optional(),
  /**
   * The plugin's own end-to-end time for the photo. With photo_id, it is written into the daemon's
   * row for the same model and photo from the last hour that has none yet, instead of a new row.
   */
  client_ms: durationMs.optional(),
  /** When the inference happened (ISO 8601); now when absent. */
  at: z.iso.datetime({ offset: true }).optional(),
});
export type UsageRecord = z.infer<typeof UsageRecord>;
export const MAX_USAGE_BATCH = 10_000;
export const UsageRequest = z.union([UsageRecord, z.array(UsageRecord).min(1).max(MAX_USAGE_BATCH)]);
export const UsageResponse = z.object({ success: z.literal(true), recorded: z.number() });

export const SyncResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  installed: z.array(z.string()),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  ollama_version: z.string().nullable(),
});

const importText = z.string().max(MAX_IMPORT_TEXT, `must be at most ${MAX_IMPORT_TEXT} characters`);
const importedUsage = z.number().int().nonnegative().max(MAX_IMPORTED_USAGE, `must be at most ${MAX_IMPORTED_USAGE}`);
const successRate = z.number().min(0).max(1);

const ImportedStats = z.object({
  usage_count: importedUsage.nullable().optional(),
  avg_ms: durationMs.nullable().optional(),
  success_rate: successRate.nullable().optional(),
  last_used: importText.nullable().optional(),
});

/** Our export document. Statistics travel as aggregates; usage rows stay in the database. */
export const ExportDocument = z.object({
  format: z.literal('junmai-model-metadata'),
  version: z.literal(1),
  exported_at: importText,
  current_model: importText.nullable(),
  models: z
    .array(
      z.object({
        name: importText,
        source: z.enum(['catalog', 'custom']),
        installed: z.boolean().optional(),
        family: importText.nullable().optional(),
        parameter_size: importText.nullable().optional(),
        quantization: importText.nullable().optional(),
        capabilities: z.array(importText).max(32).nullable().optional(),
        context_length: z.number().int().positive().max(MAX_CONTEXT_LENGTH).nullable().optional(),
        statistics: ImportedStats.optional(),
      }),
    )
    .max(MAX_IMPORT_MODELS, `must hold at most ${MAX_IMPORT_MODELS} models`),
});
export type ExportDocument = z.infer<typeof ExportDocument>;

/** The old Python system's model_metadata.json: `{current_model, models: {name: {...}}}`. */
export const LegacyDocument = z.object({
  current_model: importText.nullable().optional(),
  models: z
    .record(
      importText,
      z.looseObject({
        name: importText.optional(),
        purpose: Purpose.optional(),
        installed: z.boolean().optional(),
        usage_count: importedUsage.optional(),
        // Seconds in the old file.
        avg_inference_time: z.number().nonnegative().max(MAX_DURATION_MS / 1000).optional(),
        success_rate: successRate.optional(),
        last_used: importText.nullable().optional(),
      }),
    )
    .refine((models) => Object.keys(models).length <= MAX_IMPORT_MODELS, `must hold at most ${MAX_IMPORT_MODELS} models`),
});
export type LegacyDocument = z.infer<typeof LegacyDocument>;

export type ImportRequest = ExportDocument | LegacyDocument;

/**
 * The import body is checked in two steps (is it an object, then which document is it) so that a
 * wrong field is reported against the format it belongs to, not as "matches no union member".
 */
export const ImportBody = z
  .record(z.string(), z.unknown(), { error: 'send the exported document (a JSON object) as the request body' })
  .describe('A document from POST /api/model/export, or the old system\'s model_metadata.json ({current_model, models: {name: {...}}})');

export const ImportResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  format: z.enum(['junmai', 'legacy']),
  imported: z.array(z.string()),
  current_model: z.string().nullable(),
  warnings: z.array(z.string()),
});

export const ExportResponse = z.object({ success: z.literal(true), document: ExportDocument });

const Gpu = z.object({
  vendor: z.string(),
  model: z.string(),
  vram_total_bytes: z.number().nullable(),
  vram_free_bytes: z.number().nullable(),
  dedicated: z.boolean(),
});

/** What the hardware probe found; `satisfies` keeps it in step with HardwareInfo. */
export const Hardware = z.object({
  platform: z.custom<NodeJS.Platform>((p) => typeof p === 'string'),
  arch: z.string(),
  cpu: z.object({ brand: z.string(), physical_cores: z.number(), cores: z.number() }),
  ram_total_bytes: z.number(),
  ram_available_bytes: z.number(),
  gpus: z.array(Gpu),
  memory_source: z.enum(['dedicated_vram', 'unified_memory', 'system_ram']),
  gpu_memory_bytes: z.number(),
  offload_memory_bytes: z.number(),
  notes: z.array(z.string()),
  probed_at: z.string(),
  /** Where Ollama keeps models and the free space there; null when Ollama is on another machine. */
  models_dir: z.string().nullable().optional(),
  disk_free_bytes: z.number().nullable().optional(),
}) satisfies z.ZodType<HardwareInfo>;
export const HardwareResponse = z.object({ success: z.literal(true), hardware: Hardware });

export const HealthResponse = z.object({
  success: z.literal(true),
  status: z.enum(['ok', 'degraded']),
  daemon_version: z.string(),
  api_version: z.number(),
  ollama: z.object({
    reachable: z.boolean(),
    url: z.string(),
    version: z.string().nullable(),
    error: z.string().nullable(),
    /** True when Ollama is older than the daemon needs; update_notice then says so in words. */
    outdated: z.boolean(),
    update_notice: z.string().nullable(),
    /** The oldest Ollama with everything the daemon uses. */
    required_version: z.string(),
  }),
  evaluation: z.object({ concurrency: z.number().int(), max_queue: z.number().int() }),
  /** The daemon's data folder and the log file it writes now (null when it logs nowhere, as in tests). */
  files: z.object({ data_dir: z.string(), log_file: z.string().nullable() }),
  database: z.object({ ok: z.boolean(), schema_version: z.number(), notice: z.string().nullable() }),
});

export const JobView = z.object({
  id: z.string(),
  model: z.string(),
  status: z.enum(['queued', 'downloading', 'verifying', 'completed', 'failed', 'cancelled', 'interrupted']),
  completed_bytes: z.number(),
  total_bytes: z.number().nullable(),
  percent: z.number(),
  bytes_per_second: z.number(),
  eta_seconds: z.number().nullable(),
  resumed: z.boolean(),
  resumed_bytes: z.number(),
  update_check: z.boolean(),
  up_to_date: z.boolean().nullable(),
  /** How a completed job ended, in words ("… is already up to date."); null before the end and on failure. */
  message: z.string().nullable(),
  error_code: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});
export type JobView = z.infer<typeof JobView>;

export const DownloadResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  model: z.string(),
  job: JobView,
  note: z.string().optional(),
});
export const JobResponse = z.object({ success: z.literal(true), job: JobView });
export const JobListResponse = z.object({ success: z.literal(true), jobs: z.array(JobView), count: z.number() });
export const JobParams = z.object({ id: z.string().max(64) });
export const JobListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

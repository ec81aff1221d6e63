import type { Clock } from '../clock.js';
import type { EvaluationConfig } from '../config.js';
import { AppError, isAppError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { UsageCoalescer } from '../events/usage-coalescer.js';
import { cloudRefusal, isCloudModel } from '../models/cloud.js';
import { resolveModelName } from '../models/resolve.js';
import { blindSentence, knownBlind } from '../models/views.js';
import type { InferenceResult, OllamaGateway } from '../ollama/gateway.js';
import type { KeepAlive } from '../ollama/keep-alive.js';
import { EVALUATION_MIN_OLLAMA, olderThan, outdatedSentence } from '../ollama/requirements.js';
import { DEFAULT_KEYWORDS, EVALUATION_FIELDS, type EvaluateRequest, type EvaluateResponse, type Evaluation, type KeywordPolicy } from '../schemas/evaluate.js';
import type { ModelRow } from '../store/models-repo.js';
import type { Store } from '../store/store.js';
import type { UsageInsert } from '../store/usage-repo.js';
import type { EvaluationCache } from '../store/evaluation-cache.js';
import { imageBase64Ref, imageFileRef, type LoadedImage } from './image.js';
import { Limiter } from './limiter.js';
import { buildMessages, cacheKey, PROMPT_VERSION, type PromptSpec } from './prompt.js';
import { answerSchema, ollamaFormat, parseAnswer } from './schema.js';
import { roundMs, TimingSum } from './timings.js';
import { keywordEnum, mapKeywords, VocabularyIndexCache, type VocabularyIndex } from './vocabulary.js';

export interface EvaluationDeps {
  store: Store;
  gateway: OllamaGateway;
  cache: EvaluationCache;
  clock: Clock;
  events: EventBus;
  config: EvaluationConfig;
  currentModel: () => string | null;
  /** Re-reads Ollama's models, so a model installed since the last sync is found before it is refused. */
  sync: () => Promise<unknown>;
  /** Ollama's version as last seen (null when unknown), so a too-old Ollama is refused without asking it per photo. */
  ollamaVersion: () => string | null;
  /** The photographer's calibration of the model's stars, when there is one (daemon/compare/calibrations.ts). */
  calibrate?: (model: string, digest: string | null, result: Partial<Evaluation>) => EvaluateResponse['result'];
  /** Where failures that must not fail the photo (a usage row that could not be written) are reported. */
  warn?: (message: string) => void;
}

/** The request went away; the usage row says so and nobody is answered. */
export class ClientGone extends Error {
  override name = 'ClientGone';
}

/** A cap on the answer's length: with structured output some models otherwise pad with whitespace forever. */
const NUM_PREDICT = 1024;
const ATTEMPTS = 2;

interface Attempted {
  result: Partial<Evaluation>;
  attempts: number;
}

/**
 * POST /api/evaluate: one photo, one model, one structured answer. Every evaluation of an
 * installed vision model writes exactly one usage row, whatever its outcome; requests refused
 * before a model is settled on (no current model, bad name, not installed, not a vision model)
 * write none, as nothing was evaluated.
 */
export class EvaluationService {
  readonly limiter: Limiter;
  private readonly usageEvents: UsageCoalescer;
  private readonly inFlight = new Set<AbortController>();
  /** The plugin sends the same keyword tree with every photo: indexed once, not per photo. */
  readonly vocabularies = new VocabularyIndexCache();
  private closed = false;

  constructor(private readonly deps: EvaluationDeps) {
    this.limiter = new Limiter(deps.config.concurrency, deps.config.maxQueue);
    this.usageEvents = new UsageCoalescer(deps.events);
  }

  async evaluate(req: EvaluateRequest, clientSignal?: AbortSignal): Promise<EvaluateResponse> {
    const started = performance.now();
    if (this.closed) throw stopping();
    const version = this.deps.ollamaVersion();
    if (olderThan(version, EVALUATION_MIN_OLLAMA)) {
      throw new AppError('OLLAMA_OUTDATED', outdatedSentence(version) as string, { ollama_version: version, required: EVALUATION_MIN_OLLAMA });
    }
    const row = await this.resolveModel(req.model);
    const model = row.name;
    const photoId = req.photo_id ?? null;
    const own = new AbortController();
    const signal = clientSignal ? AbortSignal.any([clientSignal, own.signal]) : own.signal;
    this.inFlight.add(own);
    const timings = new TimingSum();
    let queueMs = 0;
    const usage = (u: Pick<UsageInsert, 'success' | 'error_code'> & Partial<UsageInsert>) =>
      this.record({
        model, photo_id: photoId, duration_ms: roundMs(performance.now() - started - queueMs), queue_ms: roundMs(queueMs),
        kind: 'inference', cache_hit: false, ...timings.toMs(), ...u,
      });
    // A slot free now is taken before the image is read, so that it is read once. Otherwise the image
    // is identified now (for the cache) and read only once it holds a slot: a queue holds no image bytes.
    let release = this.limiter.tryAcquire();
    try {
      const image = req.image_path !== undefined
        ? await imageFileRef(req.image_path, this.deps.config.maxImageBytes, release !== undefined)
        : imageBase64Ref(req.image_base64 ?? '', this.deps.config.maxImageBytes);
      const words = this.keywordsOf(req);
      const spec = promptSpec(req, words);
      const key = row.digest && req.options?.cache !== false && this.deps.cache.enabled ? cacheKey(image.sha256, row.digest, spec) : undefined;
      // The cache holds the model's own words; the vocabulary applies on the way out, so a new vocabulary is never answered with an old mapping.
      const respond = (answer: Partial<Evaluation>, attempts: number, cacheHit: boolean): EvaluateResponse => {
        const result = answer.keywords ? { ...answer, ...mapKeywords(answer.keywords, words.index, words.policy, spec.maxKeywords) } : answer;
        return {
          success: true, photo_id: photoId, model, result: this.deps.calibrate?.(model, row.digest, result) ?? result, cache_hit: cacheHit, attempts, prompt_version: PROMPT_VERSION,
          image: { format: image.format, bytes: image.size, sha256: image.sha256 },
          timings: { daemon_ms: roundMs(performance.now() - started), queue_ms: roundMs(queueMs), ...timings.toMs() },
        };
      };

      const cached = key ? this.deps.cache.get<Partial<Evaluation>>(key, this.nowMs()) : undefined;
      if (cached) {
        release?.();
        usage({ success: true, error_code: null, cache_hit: true });
        return respond(cached, 0, true);
      }

      if (!release) {
        const queuedAt = performance.now();
        try {
          release = await this.limiter.acquire(signal);
        } finally {
          queueMs = performance.now() - queuedAt;
        }
      }
      let done: Attempted;
      try {
        done = await this.ask(model, await image.load(), spec, req.options?.keep_alive ?? this.deps.config.keepAlive, timings, signal);
      } finally {
        release();
      }
      if (key) this.deps.cache.put(key, model, done.result, this.nowMs());
      usage({ success: true, error_code: null });
      return respond(done.result, done.attempts, false);
    } catch (err) {
      // Taken before the image was read, which failed; a releaser frees its slot once however often called.
      release?.();
      const failure = signal.aborted && !isAppError(err) ? abortReason(signal) : err;
      const code = clientSignal?.aborted ? 'CLIENT_CLOSED' : own.signal.aborted ? 'INTERRUPTED' : isAppError(failure) ? failure.code : 'INTERNAL_ERROR';
      usage({ success: false, error_code: code });
      throw isAppError(failure) ? withPhoto(failure, model, photoId) : failure;
    } finally {
      this.inFlight.delete(own);
    }
  }

  /** The request's vocabulary, indexed, and its policy: `prefer` with a vocabulary, `free` without, unless it says. */
  private keywordsOf(req: EvaluateRequest): Keywords {
    const index = req.vocabulary ? this.vocabularies.get(req.vocabulary) : undefined;
    return { index, policy: req.options?.keyword_policy ?? (index ? 'prefer' : 'free') };
  }

  /** Ends every evaluation in flight and refuses those waiting: the daemon is stopping. */
  close(): void {
    this.closed = true;
    this.limiter.rejectWaiting(stopping());
    for (const c of this.inFlight) c.abort(stopping());
    this.usageEvents.flush();
  }

  private async ask(model: string, image: LoadedImage, spec: PromptSpec, keepAlive: KeepAlive, timings: TimingSum, signal: AbortSignal): Promise<Attempted> {
    const schema = answerSchema(spec);
    const format = ollamaFormat(schema);
    const options: Record<string, unknown> = { ...inferenceOptions(this.deps.config), num_predict: NUM_PREDICT };
    if (spec.temperature !== undefined) options.temperature = spec.temperature;
    if (spec.seed !== undefined) options.seed = spec.seed;
    let problem: string | undefined;
    let truncated = false;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      let answer: InferenceResult;
      try {
        answer = await this.deps.gateway.chat({
          model, messages: buildMessages(spec, schema, image.base64, problem), format, keepAlive, think: false, options, signal,
          idleTimeoutMs: this.deps.config.idleTimeoutMs,
        });
      } catch (err) {
        throw refine(err, model);
      }
      timings.add(answer.timings);
      const parsed = parseAnswer(answer.content, answer.doneReason, schema);
      if (parsed.ok) return { result: parsed.value, attempts: attempt };
      problem = parsed.problem;
      truncated = answer.doneReason === 'length';
    }
    if (truncated) {
      throw new AppError(
        'MODEL_OUTPUT_TRUNCATED',
        `${model} ran out of room before finishing its evaluation (${NUM_PREDICT} tokens), in ${ATTEMPTS} attempts. Models that think aloud or ramble cause this; try again, or choose another vision model.`,
        { problem, attempts: ATTEMPTS, num_predict: NUM_PREDICT },
      );
    }
    throw new AppError(
      'MODEL_OUTPUT_INVALID',
      `${model} did not give a usable evaluation in ${ATTEMPTS} attempts (${problem}). Try again, or choose another vision model.`,
      { problem, attempts: ATTEMPTS },
    );
  }

  /** The model to use, checked enough that a failure from here on is a failure of the evaluation itself. */
  private async resolveModel(input: string | undefined): Promise<ModelRow> {
    const requested = input ?? this.deps.currentModel();
    if (requested === null || requested === undefined) {
      throw new AppError('NO_CURRENT_MODEL', 'No model is selected for photo evaluation. Choose a vision model in Junmai first, or name one in the request.');
    }
    const r = resolveModelName(requested);
    const allowCloud = this.deps.config.allowCloudModels;
    if (!allowCloud && isCloudModel(r.name, undefined)) throw cloudRefusal(r.name, 'evaluating with it');
    let row = this.deps.store.models.get(r.name);
    if (!row?.installed) {
      await this.deps.sync();
      row = this.deps.store.models.get(r.name);
    }
    if (!row?.installed) {
      throw new AppError('MODEL_NOT_INSTALLED', `${r.entry?.display_name ?? r.name} is not downloaded yet. Download it first, then evaluate photos with it.`, { model: r.name });
    }
    if (!allowCloud && isCloudModel(r.name, row)) throw cloudRefusal(r.name, 'evaluating with it');
    if (knownBlind({ name: r.name, entry: r.entry, row })) throw new AppError('MODEL_NOT_VISION', blindSentence(r.name), { model: r.name });
    return row;
  }

  private record(u: Omit<UsageInsert, 'ts'>): void {
    try {
      this.deps.store.usage.insert({ ts: this.nowMs(), ...u });
      this.usageEvents.add([u.model], 1);
    } catch (err) {
      // The photo's answer is worth more than its statistics: a full disk must not cost the photographer the result.
      this.deps.warn?.(`Could not record the usage of ${u.model}: ${(err as Error).message}`);
    }
  }

  private nowMs(): number {
    return this.deps.clock.now().getTime();
  }
}

/**
 * What every call to Ollama for photos carries, warm-ups included, so a warm-up loads the runner the
 * evaluations then use. An explicit num_ctx, because Ollama's own default depends on the GPU (4,096,
 * 32,768 or 262,144 tokens since 0.15.5) and a large one costs gigabytes of KV cache nobody uses.
 */
export function inferenceOptions(config: Pick<EvaluationConfig, 'contextLength'>): Record<string, unknown> {
  return { num_ctx: config.contextLength };
}

interface Keywords {
  index: VocabularyIndex | undefined;
  policy: KeywordPolicy;
}

function promptSpec(req: EvaluateRequest, words: Keywords): PromptSpec {
  const o = req.options ?? {};
  const only = words.policy === 'only' && words.index ? keywordEnum(words.index) : undefined;
  return {
    ...(only ? { keywordEnum: only } : {}),
    fields: req.fields ? EVALUATION_FIELDS.filter((f) => req.fields?.includes(f)) : [...EVALUATION_FIELDS],
    maxKeywords: o.max_keywords ?? DEFAULT_KEYWORDS,
    language: o.language ?? 'English',
    temperature: o.temperature,
    seed: o.seed,
  };
}

/** Ollama's runner refuses images for a model without a projector; say so in the photographer's terms. */
function refine(err: unknown, model: string): unknown {
  if (isAppError(err) && err.code === 'OLLAMA_ERROR' && /missing data required for image input|does not support (images|vision)/i.test(String(err.details?.ollama_message ?? ''))) {
    return new AppError('MODEL_NOT_VISION', blindSentence(model), { model });
  }
  return err;
}

/** Called once the failure's usage row is written, so a client knows not to report this photo again. */
function withPhoto(err: AppError, model: string, photoId: string | null): AppError {
  return new AppError(err.code, err.message, { ...(err.details ?? {}), model, usage_recorded: true, ...(photoId !== null ? { photo_id: photoId } : {}) });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new ClientGone('The request was cancelled.');
}

const stopping = () => new AppError('BUSY', 'Junmai is stopping, so this photo was not evaluated. Try again once it has restarted.');

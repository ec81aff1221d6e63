import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { EvaluationConfig } from '../config.js';
import { AppError, faultOf, isAppError } from '../errors.js';
import { inferenceOptions, type EvaluationService } from '../evaluation/evaluate.js';
import { decodeImageBase64 } from '../evaluation/image.js';
import { roundMs } from '../evaluation/timings.js';
import type { EventBus } from '../events/bus.js';
import { resolveModelName } from '../models/resolve.js';
import { blindSentence, capabilitiesOf, knownBlind } from '../models/views.js';
import type { OllamaGateway } from '../ollama/gateway.js';
import type { KeepAlive } from '../ollama/keep-alive.js';
import type { CompareOptions, CompareRequest, CompareResultsResponse, CompareRunView } from '../schemas/compare.js';
import type { ComparePhotoRow, CompareRunRow, CompareStatus } from '../store/compare-repo.js';
import type { Store } from '../store/store.js';
import { COLD_START_LOAD_MS } from '../store/usage-repo.js';
import { outcomeOf } from './outcome.js';
import { measureModel, rank, ratedPairs } from './report.js';
import { spearman } from './stats.js';

export interface CompareDeps {
  store: Store;
  gateway: Pick<OllamaGateway, 'load' | 'ps'>;
  evaluation: Pick<EvaluationService, 'evaluate'>;
  events: EventBus;
  clock: Clock;
  config: Pick<EvaluationConfig, 'concurrency' | 'keepAlive' | 'idleTimeoutMs' | 'contextLength' | 'maxImageBytes'>;
  /** Re-reads Ollama's models, so a model installed since the last sync is found before it is refused. */
  sync: () => Promise<unknown>;
  warn?: (message: string) => void;
}

const PROGRESS_EVERY_MS = 250;
/** Completed runs whose results are kept in memory: the few a photographer is looking at. */
const KEPT_RESULTS = 16;
/** How long a comparison waits for Ollama to let go of a model it asked to unload: UNLOAD_POLLS × UNLOAD_POLL_MS. */
const UNLOAD_POLLS = 100;
const UNLOAD_POLL_MS = 100;
const INTERRUPTED_MESSAGE = 'Junmai stopped during this comparison. Resume it to evaluate the photos that were left; finished photos are kept.';

/** A stop of the run with the error the run records; anything else thrown while a model runs is a bug. */
class RunStopped extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

/**
 * Comparison runs: every photo through every model, one model at a time so that each is loaded
 * once, through the evaluation service (its concurrency, usage rows and fault kinds). Runs queue
 * behind one another for the same reason. Everything finished is in SQLite as it finishes, so a
 * stop loses only the photos in flight, which a resume evaluates again.
 *
 * A comparison never answers from the evaluation cache: a cached answer has no timing, and it
 * would repeat what the model said before instead of measuring it now.
 */
export class CompareService {
  private chain: Promise<void> = Promise.resolve();
  private readonly controllers = new Map<string, AbortController>();
  private readonly lastProgress = new Map<string, number>();
  private readonly completedResults = new Map<string, Omit<CompareResultsResponse, 'success'>>();
  private closed = false;

  constructor(private readonly deps: CompareDeps) {}

  private get repo() {
    return this.deps.store.compare;
  }

  async start(req: CompareRequest): Promise<CompareRunView> {
    if (this.closed) throw stopping();
    this.refuseOversized(req.photos);
    const models = await this.chooseModels(req.models);
    const id = randomUUID();
    const photos: ComparePhotoRow[] = req.photos.map((p, idx) => ({
      idx, photo_id: p.photo_id, image_path: p.image_path ?? null, image_base64: p.image_base64 ?? null,
      rating: p.rating ?? null, pick: p.pick ?? null, keywords: p.keywords ?? null,
    }));
    this.repo.create({ id, status: 'queued', options: req.options ?? {}, photo_count: photos.length, created_at: this.now().toISOString() }, photos, models);
    this.enqueue(id);
    return this.view(this.row(id));
  }

  list(limit: number): CompareRunView[] {
    return this.repo.list(limit).map((r) => this.view(r));
  }

  /**
   * The run and, per model, what was measured so far, best first. A completed run never changes
   * again, so its measures (a bootstrap per model) are computed once and kept for the next reads;
   * a cancelled one may still record the time of photos that were in flight.
   */
  results(id: string): Omit<CompareResultsResponse, 'success'> {
    const run = this.row(id);
    const kept = this.completedResults.get(id);
    if (kept && run.status === 'completed') return kept;
    const photos = this.repo.photos(id);
    const results = this.repo.results(id);
    const measured = this.repo.models(id).map((m) => measureModel(m, photos, results.filter((r) => r.model === m.model)));
    const answer = { run: this.view(run), ...rank(measured) };
    if (run.status === 'completed') {
      this.completedResults.set(id, answer);
      // Map order is insertion order: the oldest goes first.
      if (this.completedResults.size > KEPT_RESULTS) this.completedResults.delete(this.completedResults.keys().next().value as string);
    }
    return answer;
  }

  /** How far the model agreed with the photographer's stars in the newest completed comparison it took part in. */
  latestAgreement(model: string): { spearman: number; photos: number } | undefined {
    const id = this.repo.latestCompletedWith(model);
    if (id === undefined) return undefined;
    const { stars, said } = ratedPairs(this.repo.photos(id), this.repo.results(id).filter((r) => r.model === model));
    const rho = spearman(stars, said);
    return rho === null ? undefined : { spearman: rho, photos: stars.length };
  }

  /** Stops a run; finished photos are kept. A run that has already ended is returned as it is. */
  cancel(id: string): CompareRunView {
    const run = this.row(id);
    if (run.status === 'completed' || run.status === 'cancelled') return this.view(run);
    this.finish(id, 'cancelled');
    this.controllers.get(id)?.abort();
    return this.view(this.row(id));
  }

  /** Queues an interrupted or failed run again; only the photos without an answer are evaluated. */
  resume(id: string): CompareRunView {
    if (this.closed) throw stopping();
    const run = this.row(id);
    if (run.status !== 'interrupted' && run.status !== 'failed') {
      throw new AppError('COMPARISON_NOT_RESUMABLE', `This comparison is ${run.status}; only an interrupted or failed comparison can be resumed.`, { run_id: id, status: run.status });
    }
    this.repo.setStatus(id, 'queued', this.now());
    this.enqueue(id);
    return this.view(this.row(id));
  }

  /** At start-up: runs that were active when the daemon stopped are interrupted, and can be resumed. */
  recoverInterrupted(): number {
    const ids = this.repo.activeIds();
    for (const id of ids) this.repo.setStatus(id, 'interrupted', this.now(), { code: 'INTERRUPTED', message: INTERRUPTED_MESSAGE });
    return ids.length;
  }

  /** The daemon is stopping: active runs become interrupted (and say so over /ws) before their photos are cut off. */
  interruptAll(): void {
    this.closed = true;
    for (const id of this.repo.activeIds()) this.finish(id, 'interrupted', { code: 'INTERRUPTED', message: INTERRUPTED_MESSAGE });
    for (const c of this.controllers.values()) c.abort(stopping());
  }

  /** Resolves when no run is executing: for an orderly stop and for tests. */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(id: string): void {
    // One run's unexpected failure (its database write, say) must not stop the runs queued behind it.
    this.chain = this.chain.then(() => this.execute(id)).catch((err: Error) => this.deps.warn?.(`Comparison ${id}: ${err.message}`));
  }

  private async execute(id: string): Promise<void> {
    if (this.repo.get(id)?.status !== 'queued') return; // cancelled or interrupted while it waited
    const controller = new AbortController();
    this.controllers.set(id, controller);
    this.repo.setStatus(id, 'running', this.now());
    this.publish('compare.progress', id);
    try {
      const options = this.row(id).options as CompareOptions;
      const keepAlive = options.keep_alive ?? this.deps.config.keepAlive;
      const photos = this.repo.photos(id);
      for (const m of this.repo.models(id)) {
        if (m.status === 'done' || m.status === 'skipped') continue;
        const finished = new Set(this.repo.results(id).filter((r) => r.model === m.model).map((r) => r.idx));
        const todo = photos.filter((p) => !finished.has(p.idx));
        this.repo.setModel(id, m.model, 'running');
        this.publish('compare.progress', id);
        if (todo.length > 0 && (await this.load(id, m.model, keepAlive, controller.signal))) {
          await this.evaluateAll(id, m.model, todo, options, controller.signal);
        }
        if (this.repo.models(id).find((x) => x.model === m.model)?.status === 'running') this.repo.setModel(id, m.model, 'done');
      }
      if (controller.signal.aborted) return;
      this.finish(id, 'completed');
    } catch (err) {
      if (controller.signal.aborted) return; // cancel or stop already recorded the run's state and told the clients
      const error = err instanceof RunStopped ? err.error : isAppError(err) ? err : new AppError('INTERNAL_ERROR', `The comparison stopped on an unexpected error: ${(err as Error).message}`);
      this.finish(id, 'failed', { code: error.code, message: `${error.message} Resume the comparison once this is fixed; finished photos are kept.` });
    } finally {
      this.controllers.delete(id);
      this.lastProgress.delete(id);
    }
  }

  /**
   * Loads the model ahead of its photos, so the load is timed on its own and the photos are warm,
   * and reads the memory it takes from Ollama's /api/ps. A model already in memory is unloaded
   * first (Ollama's documented empty request with keep_alive 0): its load time is part of what is
   * compared, and a leftover from earlier use would hide it. False when the model cannot take part.
   */
  private async load(id: string, model: string, keepAlive: KeepAlive, signal: AbortSignal): Promise<boolean> {
    // The same runner the photos then use: a load with another num_ctx would be loaded again.
    const opts = { signal, idleTimeoutMs: this.deps.config.idleTimeoutMs, options: inferenceOptions(this.deps.config), think: false };
    const inMemory = async () => (await this.deps.gateway.ps()).some((l) => l.name === model);
    let loadMs: number;
    try {
      if (await inMemory()) {
        await this.deps.gateway.load(model, { ...opts, keepAlive: 0 });
        // Ollama answers the unload at once and stops the runner afterwards (server/sched.go,
        // expireRunner): a load sent before it has gone reuses the dying runner, which is then
        // unloaded under the first photo, so the load would be timed at nothing and counted twice.
        for (let i = 0; i < UNLOAD_POLLS && (await inMemory()); i++) await sleep(UNLOAD_POLL_MS, undefined, { signal });
      }
      const started = performance.now();
      const t = await this.deps.gateway.load(model, { ...opts, keepAlive });
      // Ollama's load-only answer usually carries no durations; then the wall time is the load.
      loadMs = roundMs(t.loadNs !== undefined ? t.loadNs / 1e6 : performance.now() - started);
    } catch (err) {
      if (signal.aborted) throw err;
      const error = isAppError(err) ? err : new AppError('INTERNAL_ERROR', (err as Error).message);
      if (outcomeOf(error.code) === 'stop_run') throw new RunStopped(error);
      // Not enough memory, a broken model file: this model cannot be compared, the others still can.
      this.skip(id, model, error);
      return false;
    }
    const loaded = (await this.deps.gateway.ps().catch(() => [])).find((l) => l.name === model);
    this.repo.addLoad(id, model, { loads: 1, load_ms: loadMs, size_bytes: loaded?.size ?? null, vram_bytes: loaded?.sizeVram ?? null });
    return true;
  }

  /** The photos through one model, as many at a time as the evaluation service runs. */
  private async evaluateAll(id: string, model: string, todo: ComparePhotoRow[], options: CompareOptions, runSignal: AbortSignal): Promise<void> {
    const phase = new AbortController();
    const signal = AbortSignal.any([runSignal, phase.signal]);
    let stop: RunStopped | undefined;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (!signal.aborted && next < todo.length) {
        const photo = todo[next++] as ComparePhotoRow;
        const outcome = await this.evaluateOne(id, model, photo, options, signal);
        if (outcome === undefined || signal.aborted) continue;
        if (outcome instanceof AppError) {
          if (outcomeOf(outcome.code) === 'stop_run') stop ??= new RunStopped(outcome);
          else this.skip(id, model, outcome);
          phase.abort(outcome);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.deps.config.concurrency, todo.length)) }, worker));
    } finally {
      this.repo.addPhotosMs(id, model, roundMs(performance.now() - started));
    }
    if (stop) throw stop;
    if (runSignal.aborted) throw runSignal.reason;
  }

  /** Records one photo's answer or failure; returns an error that is not the photo's to carry, undefined otherwise. */
  private async evaluateOne(id: string, model: string, photo: ComparePhotoRow, options: CompareOptions, signal: AbortSignal): Promise<AppError | undefined> {
    const image = photo.image_path !== null ? { image_path: photo.image_path } : { image_base64: photo.image_base64 ?? '' };
    try {
      const r = await this.deps.evaluation.evaluate({ ...image, photo_id: photo.photo_id, model, options: { ...options, cache: false } }, signal);
      this.repo.addResult(id, {
        model, idx: photo.idx, success: true, fault: null, error_code: null,
        // The model's own stars: a comparison measures the model, and is what a calibration is fitted on.
        rating: r.result.rating_raw ?? r.result.rating ?? null, flag: r.result.flag ?? null, keywords: r.result.keywords ?? null,
        duration_ms: roundMs(r.timings.daemon_ms - r.timings.queue_ms), load_ms: r.timings.load_ms,
      });
      // Ollama loaded the model again mid-run (something evicted it): that is a load the run caused.
      if (r.timings.load_ms !== null && r.timings.load_ms > COLD_START_LOAD_MS) this.repo.addLoad(id, model, { loads: 1 });
    } catch (err) {
      // Cut off by a cancel or a stop: no answer is recorded, so a resume evaluates it again.
      if (signal.aborted) return undefined;
      const error = isAppError(err) ? err : new AppError('INTERNAL_ERROR', (err as Error).message);
      if (outcomeOf(error.code) !== 'record') return error;
      this.repo.addResult(id, {
        model, idx: photo.idx, success: false, fault: faultOf(false, error.code), error_code: error.code,
        rating: null, flag: null, keywords: null, duration_ms: null, load_ms: null,
      });
    }
    this.photoProgress(id);
    return undefined;
  }

  /**
   * At most PROGRESS_EVERY_MS apart per run, like download progress: a run of 500 photos × 8
   * models must not push every other event out of the replay buffer. The final state always
   * follows as compare.completed (or failed, cancelled, interrupted).
   */
  private photoProgress(id: string): void {
    const now = this.now().getTime();
    if (now - (this.lastProgress.get(id) ?? -Infinity) < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(id, now);
    this.publish('compare.progress', id);
  }

  private skip(id: string, model: string, error: AppError): void {
    this.repo.setModel(id, model, 'skipped', { code: error.code, message: error.message });
  }

  private finish(id: string, status: CompareStatus, error?: { code: string; message: string }): void {
    this.repo.setStatus(id, status, this.now(), error);
    this.publish(`compare.${status === 'completed' ? 'completed' : status}`, id);
  }

  /**
   * An inline image over the size limit is refused before the run is stored: every model would
   * fail on it, and its bytes would sit in SQLite until the run ends. Other faults of a photo are
   * the photo's own failure, recorded as the run reaches it.
   */
  private refuseOversized(photos: CompareRequest['photos']): void {
    const max = this.deps.config.maxImageBytes;
    for (const p of photos) {
      // Base64 holds 3 bytes in 4 characters, so shorter text cannot be too large; decoding settles the rest exactly.
      if (p.image_base64 === undefined || Math.floor((p.image_base64.length * 3) / 4) <= max) continue;
      try {
        decodeImageBase64(p.image_base64, max);
      } catch (err) {
        if (isAppError(err) && err.code === 'IMAGE_TOO_LARGE') {
          throw new AppError('IMAGE_TOO_LARGE', `Photo ${p.photo_id}: ${err.message}`, { ...err.details, photo_id: p.photo_id });
        }
      }
    }
  }

  /** The models a run compares: those named (each installed and able to see), or every installed local vision model. */
  private async chooseModels(requested: string[] | undefined): Promise<string[]> {
    if (requested === undefined) {
      let models = this.installedVisionModels();
      if (models.length === 0) {
        await this.deps.sync();
        models = this.installedVisionModels();
      }
      if (models.length === 0) {
        throw new AppError('NO_VISION_MODELS', 'No vision model is installed, so there is nothing to compare. Download one (gemma3:4b, for example) first.');
      }
      return models;
    }
    const names = [...new Set(requested.map((m) => resolveModelName(m).name))];
    if (names.some((n) => !this.deps.store.models.get(n)?.installed)) await this.deps.sync();
    for (const name of names) {
      const r = resolveModelName(name);
      const row = this.deps.store.models.get(name);
      if (!row?.installed) {
        throw new AppError('MODEL_NOT_INSTALLED', `${r.entry?.display_name ?? name} is not downloaded yet. Download it first, or leave it out of the comparison.`, { model: name });
      }
      if (knownBlind({ name, entry: r.entry, row })) throw new AppError('MODEL_NOT_VISION', blindSentence(name), { model: name });
    }
    return names;
  }

  /** Cloud models (`…-cloud` tags, which /api/tags lists beside local ones) would send the photos away. */
  private installedVisionModels(): string[] {
    return this.deps.store.models
      .all()
      .filter((row) => row.installed && !/-cloud$/.test(row.name) && capabilitiesOf({ name: row.name, entry: resolveModelName(row.name).entry, row }).includes('vision'))
      .map((row) => row.name);
  }

  private view(run: CompareRunRow): CompareRunView {
    const models = this.repo.models(run.id);
    const done = this.repo.doneByModel(run.id);
    return {
      id: run.id,
      status: run.status,
      models: models.map((m) => m.model),
      current_model: run.status === 'running' ? (models.find((m) => m.status === 'running')?.model ?? null) : null,
      photo_count: run.photo_count,
      progress: {
        done: models.reduce((a, m) => a + (m.status === 'skipped' ? run.photo_count : (done.get(m.model) ?? 0)), 0),
        total: run.photo_count * models.length,
      },
      model_loads: models.reduce((a, m) => a + m.loads, 0),
      error: run.error_code ? { code: run.error_code, message: run.error_message ?? '' } : null,
      created_at: run.created_at,
      updated_at: run.updated_at,
      finished_at: run.finished_at,
    };
  }

  private row(id: string): CompareRunRow {
    const run = this.repo.get(id);
    if (!run) throw new AppError('COMPARISON_NOT_FOUND', 'There is no comparison with that id.', { run_id: id });
    return run;
  }

  private publish(type: string, id: string): void {
    this.deps.events.publish(type, { run: this.view(this.row(id)) });
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}

const stopping = () => new AppError('BUSY', 'Junmai is stopping, so the comparison was not started. Try again once it has restarted.');

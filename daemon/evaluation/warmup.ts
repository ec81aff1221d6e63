import type { Clock } from '../clock.js';
import type { EvaluationConfig } from '../config.js';
import { isAppError } from '../errors.js';
import type { BusEvent, EventBus } from '../events/bus.js';
import { isCloudModel } from '../models/cloud.js';
import { resolveModelName } from '../models/resolve.js';
import { knownBlind } from '../models/views.js';
import type { OllamaGateway } from '../ollama/gateway.js';
import { unloadsAtOnce } from '../ollama/keep-alive.js';
import type { Store } from '../store/store.js';
import { inferenceOptions } from './evaluate.js';
import { roundMs } from './timings.js';

export interface WarmupDeps {
  store: Store;
  gateway: OllamaGateway;
  events: EventBus;
  clock: Clock;
  config: EvaluationConfig;
  warn?: (message: string) => void;
}

/**
 * Loads the model in Ollama as soon as it becomes the current one, so the first photo of the next
 * export does not pay for the load. Listens for `model.switched` rather than being called by the
 * switch: the switch answers at once, and the load happens in the background. Each load is one
 * usage row of kind 'warmup', which the photo statistics never count as a photo.
 */
export class WarmupService {
  private readonly running = new Map<string, Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: WarmupDeps) {}

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((e: BusEvent) => {
      if (e.type === 'model.switched' && typeof e.data.model === 'string') void this.warm(e.data.model);
    });
  }

  /** Resolves when the load is over, whatever its outcome; a second call for the same model joins the first. */
  warm(model: string): Promise<void> {
    const existing = this.running.get(model);
    if (existing) return existing;
    const run = this.load(model)
      .catch((err: Error) => this.deps.warn?.(`Loading ${model} ahead of the first photo failed: ${err.message}`))
      .finally(() => this.running.delete(model));
    this.running.set(model, run);
    return run;
  }

  /** Every load in progress settled: for tests and an orderly stop. */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  close(): void {
    this.unsubscribe?.();
    for (const c of this.controllers) c.abort();
  }

  private async load(model: string): Promise<void> {
    const r = resolveModelName(model);
    // A model that cannot evaluate photos would only take the GPU memory a vision model needs.
    const row = this.deps.store.models.get(r.name);
    if (knownBlind({ name: r.name, entry: r.entry, row })) return;
    // A cloud model runs on ollama.com: there is nothing to load on this computer.
    if (isCloudModel(r.name, row)) return;
    // With a zero keep-alive Ollama reads a load as "unload now": nothing would stay loaded for the photo.
    if (unloadsAtOnce(this.deps.config.keepAlive)) return;
    const controller = new AbortController();
    this.controllers.add(controller);
    const started = performance.now();
    let success = false;
    let errorCode: string | null = null;
    let loadMs: number | null = null;
    try {
      const t = await this.deps.gateway.load(r.name, {
        keepAlive: this.deps.config.keepAlive, options: inferenceOptions(this.deps.config), think: false,
        signal: controller.signal, idleTimeoutMs: this.deps.config.idleTimeoutMs,
      });
      success = true;
      // Ollama's load-only answer usually carries no durations; then the wall time is the load.
      loadMs = t.loadNs !== undefined ? roundMs(t.loadNs / 1e6) : roundMs(performance.now() - started);
    } catch (err) {
      if (controller.signal.aborted) return; // the daemon is stopping; nothing to record
      errorCode = isAppError(err) ? err.code : 'INTERNAL_ERROR';
      this.deps.warn?.(`Loading ${r.name} ahead of the first photo failed: ${(err as Error).message}`);
    } finally {
      this.controllers.delete(controller);
    }
    try {
      this.deps.store.usage.insert({
        ts: this.deps.clock.now().getTime(), model: r.name, photo_id: null, duration_ms: roundMs(performance.now() - started),
        total_ms: null, load_ms: loadMs, prompt_eval_ms: null, eval_ms: null, prompt_tokens: null, eval_tokens: null,
        success, error_code: errorCode, kind: 'warmup',
      });
    } catch (err) {
      this.deps.warn?.(`Could not record the warm-up of ${r.name}: ${(err as Error).message}`);
    }
  }
}

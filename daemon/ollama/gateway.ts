import { Ollama } from 'ollama';
import { AppError } from '../errors.js';
import { ImageBody } from './image-body.js';
import type { KeepAlive } from './keep-alive.js';
import { RECOMMENDED_MIN_OLLAMA } from './requirements.js';

/**
 * The only door to Ollama. Everything else speaks in these plain shapes and in AppError codes, so
 * the rest of the daemon never learns the client's error classes or Ollama's quirks.
 */
export interface InstalledModel {
  name: string;
  size: number;
  digest: string;
  modifiedAt: string;
  family: string | undefined;
  parameterSize: string | undefined;
  quantization: string | undefined;
  /** Where a cloud model (Ollama 0.12+) really runs, e.g. https://ollama.com:443; undefined for a local one. */
  remoteHost: string | undefined;
}

export interface ShowInfo {
  capabilities: string[];
  modelInfo: Record<string, unknown>;
  projectorInfo: Record<string, unknown> | undefined;
  /** Ollama ≥ 0.6.1 lists every tensor; per-layer shapes stand in for arrays it leaves out of model_info. */
  tensors: Array<{ name: string; type?: string; shape: number[] }> | undefined;
  family: string | undefined;
  parameterSize: string | undefined;
  quantization: string | undefined;
}

export interface LoadedModel {
  name: string;
  size: number;
  sizeVram: number;
  expiresAt: string | undefined;
}

export interface PullProgress {
  status: string;
  digest: string | undefined;
  total: number | undefined;
  completed: number | undefined;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** Base64 text as bytes (evaluation/image.ts builds it once), sent as they are. */
  images?: Buffer[];
}

export interface InferenceRequest {
  model: string;
  messages: ChatMessage[];
  /** A JSON schema for structured output. */
  format?: Record<string, unknown>;
  keepAlive?: KeepAlive;
  /** false turns off the thinking that models with the `thinking` capability do by default (Ollama 0.9+; older ones ignore it). */
  think?: boolean;
  options?: Record<string, unknown>;
  signal?: AbortSignal;
  /**
   * Longest silence from Ollama, the model load included, before OLLAMA_TIMEOUT. The answer is
   * streamed, so a slow but working model keeps the call alive however long it takes in all.
   */
  idleTimeoutMs: number;
}

/** Ollama's figures for one call, in its own units (nanoseconds, tokens); absent when it sent none. */
export interface InferenceTimings {
  totalNs: number | undefined;
  loadNs: number | undefined;
  promptEvalNs: number | undefined;
  evalNs: number | undefined;
  promptTokens: number | undefined;
  evalTokens: number | undefined;
}

export interface InferenceResult {
  content: string;
  /** `stop`, or `length` when the answer was cut off at the token limit. */
  doneReason: string | undefined;
  timings: InferenceTimings;
}

export interface OllamaGateway {
  readonly url: string;
  version(): Promise<string>;
  list(): Promise<InstalledModel[]>;
  show(name: string): Promise<ShowInfo>;
  ps(): Promise<LoadedModel[]>;
  delete(name: string): Promise<void>;
  /** Streams a pull; resolves on Ollama's `success`, rejects with an AppError otherwise. */
  pull(name: string, opts: { signal: AbortSignal; onProgress: (p: PullProgress) => void }): Promise<void>;
  /** One chat turn, streamed; resolves with the whole answer and Ollama's timings. */
  chat(req: InferenceRequest): Promise<InferenceResult>;
  /** Loads the model without a prompt (Ollama's documented way), so the next call does not wait for it. */
  load(model: string, opts: LoadRequest): Promise<InferenceTimings>;
}

export interface LoadRequest {
  keepAlive: KeepAlive;
  /** The options later calls send too: a runner loaded with another num_ctx is loaded again. */
  options: Record<string, unknown>;
  think?: boolean;
  signal?: AbortSignal;
  idleTimeoutMs: number;
}

interface ClientError {
  name?: string;
  message?: string;
  status_code?: number;
  code?: string;
  cause?: { code?: string; name?: string };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Failures of a connection that had been made: Ollama went away mid-answer. */
const LOST_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

export class OllamaHttpGateway implements OllamaGateway {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly client: Ollama;

  constructor(opts: { url: string; timeoutMs: number }) {
    this.url = opts.url;
    this.timeoutMs = opts.timeoutMs;
    // Short calls get a deadline so a hung Ollama answers 504 instead of hanging the photographer's dialog.
    this.client = new Ollama({
      host: this.url,
      fetch: (input, init) =>
        fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs) }),
    });
  }

  async version(): Promise<string> {
    const r = await this.call(() => this.client.version());
    return r.version;
  }

  async list(): Promise<InstalledModel[]> {
    const r = await this.call(() => this.client.list());
    return (r.models ?? []).map((m) => ({
      name: m.name ?? m.model,
      size: m.size,
      digest: m.digest,
      modifiedAt: String(m.modified_at ?? ''),
      family: m.details?.family || undefined,
      parameterSize: m.details?.parameter_size || undefined,
      quantization: m.details?.quantization_level || undefined,
      remoteHost: (m as { remote_host?: string }).remote_host || undefined,
    }));
  }

  async show(name: string): Promise<ShowInfo> {
    const r = await this.call(() => this.client.show({ model: name }), name);
    return {
      capabilities: Array.isArray(r.capabilities) ? r.capabilities : [],
      modelInfo: (r.model_info ?? {}) as unknown as Record<string, unknown>,
      projectorInfo: r.projector_info as unknown as Record<string, unknown> | undefined,
      tensors: Array.isArray((r as { tensors?: unknown }).tensors) ? (r as unknown as { tensors: ShowInfo['tensors'] }).tensors : undefined,
      family: r.details?.family || undefined,
      parameterSize: r.details?.parameter_size || undefined,
      quantization: r.details?.quantization_level || undefined,
    };
  }

  async ps(): Promise<LoadedModel[]> {
    const r = await this.call(() => this.client.ps());
    return (r.models ?? []).map((m) => ({
      name: m.name ?? m.model,
      size: m.size,
      sizeVram: m.size_vram,
      expiresAt: m.expires_at ? String(m.expires_at) : undefined,
    }));
  }

  async delete(name: string): Promise<void> {
    await this.call(() => this.client.delete({ model: name }), name);
  }

  async pull(name: string, opts: { signal: AbortSignal; onProgress: (p: PullProgress) => void }): Promise<void> {
    // One client per pull: the client's abort() ends every stream it owns, and only this pull may stop.
    // Its fetch also follows the signal, since abort() cannot reach a request still waiting for headers.
    const client = new Ollama({
      host: this.url,
      fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, opts.signal]) : opts.signal }),
    });
    const onAbort = () => client.abort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.signal.aborted) throw new AppError('OLLAMA_ERROR', 'The download was stopped before it started.');
      const stream = await this.call(() => client.pull({ model: name, stream: true }), name);
      for await (const p of stream) {
        opts.onProgress({ status: p.status, digest: p.digest || undefined, total: p.total, completed: p.completed });
      }
    } catch (err) {
      if (opts.signal.aborted) throw opts.signal.reason instanceof AppError ? opts.signal.reason : new AppError('OLLAMA_ERROR', 'The download was stopped.');
      throw outdatedFor(err, name) ?? this.translate(err, name);
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
    }
  }

  async chat(req: InferenceRequest): Promise<InferenceResult> {
    const images = new ImageBody();
    const messages = req.messages.map((m) => (m.images ? { ...m, images: m.images.map((b) => images.standIn(b)) } : m));
    return this.streamed(req.model, { ...req, rewrite: (init) => images.rewrite(init) }, async (client) => {
      const stream = await client.chat({
        model: req.model,
        messages,
        stream: true,
        ...(req.format ? { format: req.format } : {}),
        ...(req.keepAlive !== undefined ? { keep_alive: req.keepAlive } : {}),
        ...(req.think !== undefined ? { think: req.think } : {}),
        ...(req.options ? { options: req.options } : {}),
      });
      return stream;
    }, (parts) => ({ content: parts.map((p) => p.message?.content ?? '').join(''), doneReason: parts.at(-1)?.done_reason || undefined, timings: timingsOf(parts.at(-1)) }));
  }

  async load(model: string, opts: LoadRequest): Promise<InferenceTimings> {
    return this.streamed(
      model, opts,
      (client) => client.generate({ model, prompt: '', keep_alive: opts.keepAlive, options: opts.options, ...(opts.think !== undefined ? { think: opts.think } : {}), stream: true }),
      (parts) => timingsOf(parts.at(-1)),
    );
  }

  /**
   * Runs one streamed inference call on its own client (so a cancel or a deadline ends this call
   * only) without the short deadline of the other calls: a big model can take minutes to answer,
   * so the deadline is on silence between streamed lines instead.
   */
  private async streamed<P extends { done?: boolean }, R>(
    model: string,
    opts: { signal?: AbortSignal; idleTimeoutMs: number; rewrite?: (init: RequestInit | undefined) => RequestInit | undefined },
    start: (client: Ollama) => Promise<AsyncIterable<P>>,
    finish: (parts: P[]) => R,
  ): Promise<R> {
    const silence = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, silence.signal]) : silence.signal;
    const client = new Ollama({
      host: this.url,
      fetch: (input, given) => {
        const init = opts.rewrite ? opts.rewrite(given) : given;
        return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => silence.abort(), opts.idleTimeoutMs);
    };
    arm();
    try {
      const parts: P[] = [];
      for await (const part of await start(client)) {
        arm();
        parts.push(part);
      }
      return finish(parts);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason instanceof AppError ? opts.signal.reason : new AppError('OLLAMA_ERROR', 'The request to Ollama was cancelled.');
      if (silence.signal.aborted) {
        throw new AppError('OLLAMA_TIMEOUT', `Ollama at ${this.url} sent nothing for ${Math.round(opts.idleTimeoutMs / 1000)} seconds while working with ${model}. It may be stuck loading the model; try again, or raise JUNMAI_EVAL_TIMEOUT_MS.`, { ollama_url: this.url });
      }
      if (/did not receive done or success/i.test((err as Error | undefined)?.message ?? '')) {
        throw new AppError('OLLAMA_ERROR', `Ollama stopped before its answer was complete while working with ${model}. Try again.`, { ollama_message: (err as Error).message });
      }
      throw this.translate(err, model);
    } finally {
      clearTimeout(timer);
    }
  }

  private async call<T>(fn: () => Promise<T>, model?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err, model);
    }
  }

  /** Maps whatever the client threw to a sentence and a stable code. */
  translate(err: unknown, model?: string): AppError {
    if (err instanceof AppError) return err;
    const e = (err ?? {}) as ClientError;
    const causeCode = e.cause?.code ?? e.code;
    if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') {
      return new AppError('OLLAMA_TIMEOUT', `Ollama at ${this.url} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds. It may be busy loading a model; try again shortly.`, { ollama_url: this.url });
    }
    const message = (e.message ?? '').trim();
    const lost = (causeCode && LOST_CODES.has(causeCode)) || (e.name === 'TypeError' && /terminated|other side closed/i.test(message));
    if (lost) {
      return new AppError('OLLAMA_UNREACHABLE', `The connection to Ollama at ${this.url} was lost. Check that Ollama is still running and try again.`, { ollama_url: this.url });
    }
    if ((causeCode && CONNECTION_CODES.has(causeCode)) || (e.name === 'TypeError' && /fetch failed/i.test(message))) {
      return new AppError('OLLAMA_UNREACHABLE', `Ollama is not reachable at ${this.url}. Start Ollama (or check OLLAMA_HOST) and try again.`, { ollama_url: this.url });
    }
    if (e.name === 'ResponseError' && e.status_code === 404) {
      return new AppError('MODEL_NOT_INSTALLED', model ? `Ollama does not have the model "${model}" installed.` : `Ollama answered "not found": ${message}`, { ollama_message: message });
    }
    // Only the registry's own "no such model" (server/images.go: `pull model manifest: file does not exist`)
    // and the handlers' `model '<name>' not found`: a runner failing over a missing tensor is no unknown name.
    if (model && (/file does not exist|manifest unknown/i.test(message) || /^model ["'].*["'] not found$/i.test(message))) {
      return new AppError('MODEL_NOT_FOUND', `Ollama's library has no model named "${model}". Check the spelling and the tag.`, { ollama_message: message });
    }
    // Before 0.5.0 `format` was a string (api/types.go), so Go refuses the JSON schema the daemon sends.
    if (/cannot unmarshal object into Go struct field \w+\.format/i.test(message)) {
      return new AppError('OLLAMA_OUTDATED', `This Ollama is too old for structured answers: update Ollama to ${RECOMMENDED_MIN_OLLAMA} or newer from ollama.com/download.`, { ollama_message: message });
    }
    if (/did not receive done or success/i.test(message)) {
      return new AppError('OLLAMA_ERROR', 'Ollama ended the download before it was complete. Try again; it continues where it stopped.', { ollama_message: message });
    }
    if (/no space left|disk full|not enough space/i.test(message)) {
      return new AppError('DISK_FULL', `The disk holding Ollama's models is full: ${message}`, { ollama_message: message });
    }
    const status = e.status_code ? ` (HTTP ${e.status_code})` : '';
    return new AppError('OLLAMA_ERROR', `Ollama reported an error${status}: ${message || 'no details given'}`, { ollama_message: message });
  }
}

/**
 * The registry refuses a manifest newer than the asking Ollama with HTTP 412, which PullModel
 * passes on as an error line inside the 200 stream: "pull model manifest: 412: … requires a newer
 * version of Ollama …" (server/images.go pullModelManifest, makeRequestWithRetry).
 */
function outdatedFor(err: unknown, model: string): AppError | undefined {
  const message = ((err as Error | undefined)?.message ?? '').trim();
  if (!/pull model manifest: 412\b|requires a newer version of Ollama/i.test(message)) return undefined;
  const preRelease = /pre-release/i.test(message) ? ' (it may need a pre-release; see https://github.com/ollama/ollama/releases)' : '';
  return new AppError('OLLAMA_OUTDATED', `${model} needs a newer version of Ollama than the one on this computer. Update Ollama from https://ollama.com/download${preRelease}, then download ${model} again.`, { model, ollama_message: message });
}

/** Ollama reports each duration in nanoseconds; a field it left out stays undefined rather than 0. */
function timingsOf(last: Partial<Record<'total_duration' | 'load_duration' | 'prompt_eval_duration' | 'eval_duration' | 'prompt_eval_count' | 'eval_count', number>> | undefined): InferenceTimings {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  return {
    totalNs: n(last?.total_duration),
    loadNs: n(last?.load_duration),
    promptEvalNs: n(last?.prompt_eval_duration),
    evalNs: n(last?.eval_duration),
    promptTokens: n(last?.prompt_eval_count),
    evalTokens: n(last?.eval_count),
  };
}

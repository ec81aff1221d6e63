import { Ollama } from 'ollama';
import { AppError } from '../errors.js';

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
}

export interface ShowInfo {
  capabilities: string[];
  modelInfo: Record<string, unknown>;
  projectorInfo: Record<string, unknown> | undefined;
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

export interface OllamaGateway {
  readonly url: string;
  version(): Promise<string>;
  list(): Promise<InstalledModel[]>;
  show(name: string): Promise<ShowInfo>;
  ps(): Promise<LoadedModel[]>;
  delete(name: string): Promise<void>;
  /** Streams a pull; resolves on Ollama's `success`, rejects with an AppError otherwise. */
  pull(name: string, opts: { signal: AbortSignal; onProgress: (p: PullProgress) => void }): Promise<void>;
}

interface ClientError {
  name?: string;
  message?: string;
  status_code?: number;
  code?: string;
  cause?: { code?: string; name?: string };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'EPIPE']);

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
    }));
  }

  async show(name: string): Promise<ShowInfo> {
    const r = await this.call(() => this.client.show({ model: name }), name);
    return {
      capabilities: Array.isArray(r.capabilities) ? r.capabilities : [],
      modelInfo: (r.model_info ?? {}) as unknown as Record<string, unknown>,
      projectorInfo: r.projector_info as unknown as Record<string, unknown> | undefined,
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
    const client = new Ollama({ host: this.url });
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
      throw this.translate(err, name);
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
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
    if ((causeCode && CONNECTION_CODES.has(causeCode)) || (e.name === 'TypeError' && /fetch failed/i.test(e.message ?? ''))) {
      return new AppError('OLLAMA_UNREACHABLE', `Ollama is not reachable at ${this.url}. Start Ollama (or check OLLAMA_HOST) and try again.`, { ollama_url: this.url });
    }
    const message = (e.message ?? '').trim();
    if (e.name === 'TypeError' && /terminated|other side closed|socket/i.test(message)) {
      return new AppError('OLLAMA_UNREACHABLE', `The connection to Ollama at ${this.url} was lost. Check that Ollama is still running and try again.`, { ollama_url: this.url });
    }
    if (e.name === 'ResponseError' && e.status_code === 404) {
      return new AppError('MODEL_NOT_INSTALLED', model ? `Ollama does not have the model "${model}" installed.` : `Ollama answered "not found": ${message}`, { ollama_message: message });
    }
    if (/file does not exist|manifest unknown|not found/i.test(message) && model) {
      return new AppError('MODEL_NOT_FOUND', `Ollama's library has no model named "${model}". Check the spelling and the tag.`, { ollama_message: message });
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

/** Shapes shared by the Ollama emulator's modules. Field names follow Ollama's wire format. */
import type { Eyes } from './eyes.js';

export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

export interface EmulatedLayer {
  /** e.g. application/vnd.ollama.image.model, .projector, .template, .license, .params */
  mediaType: string;
  /** `sha256:` + 64 hex, as Ollama reports it in pull progress. */
  digest: string;
  size: number;
}

export interface EmulatedTensor {
  name: string;
  type: string;
  shape: number[];
}

export interface EmulatedModel {
  /** Canonical `model:tag`, as `ollama list` shows it. */
  name: string;
  /** Other tags that point at the same manifest in the registry (`gemma3:latest` for `gemma3:4b`). */
  aliases?: string[];
  /** Manifest digest, bare 64 hex, as /api/tags reports it. */
  digest: string;
  layers: EmulatedLayer[];
  details: ModelDetails;
  modelInfo: Record<string, unknown>;
  /** Present only for models that ship a separate projector (clip/mllama) layer. */
  projectorInfo?: Record<string, unknown>;
  /** The main GGUF's tensors (abridged to what shapes a model: embeddings and attention), as /api/show lists them. */
  tensors: EmulatedTensor[];
  capabilities: string[];
  template: string;
  /** Ollama's show format: one `name<padding>value` line per parameter. */
  parameters: string;
  license?: string;
  system?: string;
  /** A cloud model (Ollama 0.12+): a stub on disk, the model on ollama.com. */
  remote?: { model: string; host: string };
}

export type FaultRoute = 'root' | 'version' | 'tags' | 'show' | 'pull' | 'delete' | 'ps' | 'generate' | 'chat' | '*';

interface FaultBase {
  /** Apply to the next n matching requests only; forever when absent. */
  times?: number;
}

export type LineFault = FaultBase &
  (
    | { kind: 'stall'; afterLines: number }
    | { kind: 'cut'; afterLines: number }
    | { kind: 'errorLine'; afterLines: number; error: string }
    | { kind: 'malformed'; afterLines: number }
    | { kind: 'endWithoutSuccess'; afterLines: number }
  );

export type Fault =
  | (FaultBase & { kind: 'status'; status: number; error?: string })
  | (FaultBase & { kind: 'delay'; ms: number })
  | (FaultBase & { kind: 'hang' })
  | LineFault;

export interface LoggedRequest {
  method: string;
  path: string;
  /** Parsed JSON when the body was JSON, the raw text when it was not, undefined when empty. */
  body: unknown;
}

/** What a custom responder sees; return undefined to fall back to the emulator's own answer. */
export interface GenerateInput {
  route: 'generate' | 'chat';
  model: string;
  prompt: string;
  system?: string;
  messages: Array<{ role: string; content: string; images?: string[] }>;
  images: string[];
  format: unknown;
  options: Record<string, unknown>;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Library names (or aliases) installed at start. */
  installed?: string[];
  library?: EmulatedModel[];
  /** Simulated download speed; default 1e9 bytes/s. */
  pullBytesPerSecond?: number;
  /** Interval of pull progress lines per layer; default 60 ms, as Ollama's ticker. */
  pullTickMs?: number;
  /** Simulated sha256 speed of the silent verification after the bytes; default 1e9 bytes/s. */
  verifyBytesPerSecond?: number;
  /** Models (by name) whose manifest the registry refuses to an Ollama older than the given version (HTTP 412). */
  pullRequires?: Record<string, string>;
  /** Wall-clock time each generate/chat takes; default 0. */
  generateLatencyMs?: number;
  /** Extra wall-clock time a cold load takes; default 0 (the reported load_duration is simulated anyway). */
  loadLatencyMs?: number;
  /**
   * How long a runner Ollama was told to let go of (keep_alive 0) is still listed by /api/ps; default 50 ms.
   * Ollama answers the unload at once and stops the runner in the background (server/sched.go expireRunner).
   */
  unloadLatencyMs?: number;
  version?: string;
  /** Total GPU memory, which sets the default context when a request sends no num_ctx; default 8 GiB. */
  vramBytes?: number;
  /** Lets a test decide what the model says. */
  responder?: (input: GenerateInput) => string | undefined;
  /** Models (by the name the client uses) whose ratings, flags and keywords follow what the image shows (eyes.ts). */
  eyes?: Record<string, Eyes>;
}

export interface OllamaEmulator {
  readonly url: string;
  readonly port: number;
  readonly requests: LoggedRequest[];
  install(name: string): void;
  /** The registry gets a newer version of the model (new weights and manifest digests); installed copies stay as they are. */
  publishUpdate(name: string): void;
  uninstall(name: string): void;
  isInstalled(name: string): boolean;
  isLoaded(name: string): boolean;
  /** Bytes of each layer already on "disk" (complete or partial), by digest. */
  blobBytes(name: string): Record<string, number>;
  fault(route: FaultRoute, fault: Fault): void;
  clearFaults(): void;
  /** Change speed, latency or responder while running. */
  configure(options: Pick<EmulatorOptions, 'pullBytesPerSecond' | 'pullTickMs' | 'verifyBytesPerSecond' | 'pullRequires' | 'generateLatencyMs' | 'loadLatencyMs' | 'unloadLatencyMs' | 'responder' | 'version' | 'vramBytes' | 'eyes'>): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

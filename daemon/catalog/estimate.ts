import type { ArchitectureFacts } from './types.js';

export { architectureFromShow } from './show.js';
export type { ShowResponseLike } from './show.js';
export { visionGraphBytes } from './vision.js';

/**
 * Memory a model needs once Ollama has loaded it, modelled on Ollama's own estimator
 * (llm/memory.go and GGML.GraphSize in fs/ggml/ggml.go) and calibrated against published
 * `ollama ps` SIZE figures (see test/estimate.test.ts). Bytes are decimal, as `ollama ps` prints GB.
 */
export const DEFAULT_CONTEXT_LENGTH = 4096;

export type KvCacheType = 'f16' | 'q8_0' | 'q4_0';

export interface EstimateInput {
  size_bytes: number;
  architecture: ArchitectureFacts;
  context_length?: number;
  num_parallel?: number;
  kv_cache_type?: KvCacheType;
}

export interface MemoryEstimate {
  total_bytes: number;
  weights_bytes: number;
  kv_cache_bytes: number;
  graph_bytes: number;
  projector_bytes: number;
  overhead_bytes: number;
  /** Context per slot the estimate was made for. */
  context_length: number;
  num_parallel: number;
}

/** Ollama evaluates prompts in batches of 512 tokens; the scratch buffers are sized for one batch. */
const BATCH_TOKENS = 512;

/** Ollama reserves this much per CUDA/ROCm GPU before placing any layer (its "minimum memory"). */
export const RUNTIME_OVERHEAD_BYTES = 457 * 1024 * 1024;

/** Block-quantised caches store a 2-byte scale per 32 values: q8_0 = 34/32, q4_0 = 18/32 bytes per value. */
const KV_BYTES_PER_ELEMENT: Readonly<Record<KvCacheType, number>> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

/** When a GGUF omits its vocabulary size, assume Llama 3's; the logits scratch rarely decides the total. */
const DEFAULT_VOCAB_SIZE = 128_256;

/** ggml keeps activations and attention scores in f32, whatever the weights' quantisation. */
const FLOAT32_BYTES = 4;

function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  const n = value ?? fallback;
  if (!Number.isFinite(n) || n < 1) throw new RangeError(`${field} must be a positive number, got ${String(value)}`);
  return Math.floor(n);
}

/**
 * KV cache for every layer. Gemma 3's local layers keep only `sliding_window` tokens per slot plus
 * one batch, and every `sliding_window_pattern`-th layer is global: the same choice Ollama's
 * estimator makes, which keeps a 128K-context Gemma 3 from looking 5× larger than it is.
 */
export function kvCacheBytes(
  arch: ArchitectureFacts,
  contextLength: number,
  numParallel: number,
  kvCacheType: KvCacheType = 'f16',
): number {
  const totalTokens = contextLength * numParallel;
  const bytesPerToken = (arch.key_length + arch.value_length) * arch.head_count_kv * KV_BYTES_PER_ELEMENT[kvCacheType];
  const window = arch.sliding_window;
  const pattern = arch.sliding_window_pattern;
  if (!window || !pattern || pattern < 1) return arch.block_count * totalTokens * bytesPerToken;
  const globalLayers = Math.floor(arch.block_count / pattern);
  const localLayers = arch.block_count - globalLayers;
  const localTokens = Math.min(totalTokens, numParallel * window + BATCH_TOKENS);
  return (globalLayers * totalTokens + localLayers * localTokens) * bytesPerToken;
}

/**
 * Compute scratch, after Ollama's full-offload formula for llama-style models: the larger of the
 * logits for one batch and the attention scores for one batch against the whole cache (Ollama
 * does not assume flash attention here, so neither do we). The vision encoder runs before the
 * decoder and reuses the same scratch, so the two are not added: the larger one is reserved.
 */
export function graphBytes(arch: ArchitectureFacts, totalTokens: number): number {
  const batch = Math.min(BATCH_TOKENS, totalTokens);
  const heads = arch.head_count ?? Math.max(1, Math.round(arch.embedding_length / arch.key_length));
  const vocab = arch.vocab_size ?? DEFAULT_VOCAB_SIZE;
  const emb = arch.embedding_length;
  const logits = FLOAT32_BYTES * batch * (emb + vocab);
  const attention = FLOAT32_BYTES * batch * (1 + 4 * emb + totalTokens * (1 + heads));
  return Math.max(logits, attention, arch.vision_graph_bytes ?? 0);
}

export function estimateMemory(input: EstimateInput): MemoryEstimate {
  const { architecture: arch } = input;
  const contextLength = positiveInteger(input.context_length, DEFAULT_CONTEXT_LENGTH, 'context_length');
  const numParallel = positiveInteger(input.num_parallel, 1, 'num_parallel');
  if (!Number.isFinite(input.size_bytes) || input.size_bytes < 0) {
    throw new RangeError(`size_bytes must be a non-negative number, got ${String(input.size_bytes)}`);
  }
  // The projector is part of the download; splitting it out only shows where the bytes go.
  const projector = Math.min(Math.max(0, arch.projector_bytes), input.size_bytes);
  const weights = input.size_bytes - projector;
  const kv = kvCacheBytes(arch, contextLength, numParallel, input.kv_cache_type ?? 'f16');
  const graph = graphBytes(arch, contextLength * numParallel);
  const overhead = RUNTIME_OVERHEAD_BYTES;
  return {
    total_bytes: Math.ceil(weights + projector + kv + graph + overhead),
    weights_bytes: weights,
    kv_cache_bytes: Math.ceil(kv),
    graph_bytes: Math.ceil(graph),
    projector_bytes: projector,
    overhead_bytes: overhead,
    context_length: contextLength,
    num_parallel: numParallel,
  };
}

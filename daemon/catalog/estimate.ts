import type { ArchitectureFacts } from './types.js';

export { architectureFromShow } from './show.js';
export { visionGraphBytes } from './vision.js';

/**
 * Memory a model needs once Ollama has loaded it, after Ollama's own estimator: llm/memory.go
 * (estimateGPULayers) with GGML.GraphSize and GGML.VisionGraphSize in fs/ggml/ggml.go, as of
 * Ollama 0.12. It adds, on the GPU: the runtime's minimum, one spare layer with its cache, every
 * layer with its cache, the output layer, the projector's weights, the vision encoder's scratch and
 * the text model's scratch. Calibrated against published `ollama ps` SIZE figures and memory logs
 * (test/estimate.test.ts). Bytes are decimal, as `ollama ps` prints GB.
 */
export const DEFAULT_CONTEXT_LENGTH = 4096;

export type KvCacheType = 'f16' | 'q8_0' | 'q4_0';

export interface EstimateInput {
  size_bytes: number;
  architecture: ArchitectureFacts;
  context_length?: number;
  num_parallel?: number;
  kv_cache_type?: KvCacheType;
  /** Whether Ollama runs the model with flash attention; by default, as Ollama decides for the architecture. */
  flash_attention?: boolean;
}

export interface MemoryEstimate {
  total_bytes: number;
  weights_bytes: number;
  kv_cache_bytes: number;
  /** The text model's scratch for one batch. */
  graph_bytes: number;
  /** The vision encoder's scratch for one image; Ollama reserves it beside the text scratch, not instead. */
  vision_graph_bytes: number;
  projector_bytes: number;
  /** One layer and its cache held spare, as Ollama reserves before placing layers. */
  layer_buffer_bytes: number;
  overhead_bytes: number;
  /** Context per slot the estimate was made for. */
  context_length: number;
  num_parallel: number;
}

/** Ollama evaluates prompts in batches of 512 tokens; the scratch buffers are sized for one batch. */
const BATCH_TOKENS = 512;

/** Ollama reserves this much per CUDA/ROCm GPU before placing any layer (its "minimum memory"). */
const RUNTIME_OVERHEAD_BYTES = 457 * 1024 * 1024;

/** Block-quantised caches store a 2-byte scale per 32 values: q8_0 = 34/32, q4_0 = 18/32 bytes per value. */
const KV_BYTES_PER_ELEMENT: Readonly<Record<KvCacheType, number>> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

/**
 * Architectures Ollama runs with flash attention unless told otherwise (GGML.FlashAttention in
 * fs/ggml/ggml.go): their attention scores are never materialised, so the text scratch is smaller.
 */
const FLASH_ATTENTION_BY_DEFAULT: ReadonlySet<string> = new Set([
  // Only an architecture with a formula in ATTENTION_FIXED (gemma3 here) shows the difference: the others take Ollama's
  // fallback, which has no attention term, so Stryker's mutants of their names are equivalent.
  // Stryker disable next-line StringLiteral: see above
  'bert', 'gemma3', 'gemma4', 'glm4moelite', 'glmocr', 'gptoss', 'gpt-oss', 'lfm2', 'lfm2moe', 'mistral3', 'nemotron_h', 'nemotron_h_moe', 'nemotron_h_omni', 'olmo3', 'qwen3', 'qwen3moe', 'qwen35', 'qwen35moe', 'qwen3next', 'qwen3vl', 'qwen3vlmoe',
]);

/** mllama caches each cross-attention layer's view of the image: 1,601 tokens × 4 tiles in f32 (GraphSize). */
const MLLAMA_IMAGE_TOKENS = 1601 * 4;

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
  const cross = Math.min(arch.cross_attention_layers ?? 0, arch.block_count);
  const crossBytes = cross * (arch.key_length + arch.value_length) * arch.head_count_kv * FLOAT32_BYTES * MLLAMA_IMAGE_TOKENS;
  const selfLayers = arch.block_count - cross;
  const window = arch.sliding_window;
  const pattern = arch.sliding_window_pattern;
  // Stryker disable next-line EqualityOperator: a pattern of 1 makes every layer global, the same as no window
  if (!window || !pattern || pattern < 1) return selfLayers * totalTokens * bytesPerToken + crossBytes;
  const globalLayers = Math.floor(selfLayers / pattern);
  const localLayers = selfLayers - globalLayers;
  const localTokens = Math.min(totalTokens, numParallel * window + BATCH_TOKENS);
  return (globalLayers * totalTokens + localLayers * localTokens) * bytesPerToken + crossBytes;
}

/**
 * The text model's scratch with every layer on the GPU (GraphSize's fullOffload): the larger of the
 * logits for one batch and the attention for one batch against the whole cache. Each architecture
 * Ollama knows has its own fixed part; with flash attention the batch × context × heads scores are
 * never stored. Architectures GraphSize has no formula for get Ollama's fallback, GQA × cache / 6.
 */
function graphBytes(arch: ArchitectureFacts, totalTokens: number, flashAttention: boolean, kvBytes: number): number {
  const batch = Math.min(BATCH_TOKENS, totalTokens);
  const heads = arch.head_count ?? Math.max(1, Math.round(arch.embedding_length / arch.key_length));
  const vocab = arch.vocab_size ?? DEFAULT_VOCAB_SIZE;
  const emb = arch.embedding_length;
  const fixed = ATTENTION_FIXED[arch.architecture]?.(emb, heads, arch.key_length);
  if (fixed === undefined) {
    return Math.round(((heads / Math.max(1, arch.head_count_kv)) * kvBytes) / 6);
  }
  const logits = FLOAT32_BYTES * batch * (emb + vocab);
  const attention = FLOAT32_BYTES * batch * (fixed + totalTokens * (1 + (flashAttention ? 0 : heads)));
  return Math.max(logits, attention);
}

/** Per-token scratch of one batch besides the context, per architecture (GraphSize's fullOffload terms). */
const ATTENTION_FIXED: Readonly<Record<string, (emb: number, heads: number, headDim: number) => number>> = {
  llama: (emb) => 1 + 4 * emb,
  llama4: (emb) => 1 + 4 * emb,
  mllama: (emb, heads, headDim) => 2 + 3 * emb + headDim * heads,
  gemma: (emb, heads, headDim) => 2 + 2 * emb + 2 * headDim * heads,
  gemma2: (emb, heads, headDim) => 2 + 2 * emb + 2 * headDim * heads,
  gemma3: (emb, heads, headDim) => 2 + 2 * emb + 2 * headDim * heads,
  qwen2: (emb) => 1 + 2 * emb,
  phi2: (emb) => 1 + 4 * emb,
  'command-r': (emb) => 2 + 4 * emb,
};

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
  const kv = Math.ceil(kvCacheBytes(arch, contextLength, numParallel, input.kv_cache_type ?? 'f16'));
  const flash = input.flash_attention ?? FLASH_ATTENTION_BY_DEFAULT.has(arch.architecture);
  const graph = Math.ceil(graphBytes(arch, contextLength * numParallel, flash, kv));
  const vision = Math.ceil(arch.vision_graph_bytes ?? 0);
  // Ollama counts blk.0 with its cache once more as headroom before placing layers; an average layer stands in.
  const layerBuffer = Math.ceil((weights + kv) / arch.block_count);
  const overhead = RUNTIME_OVERHEAD_BYTES;
  return {
    total_bytes: weights + projector + kv + graph + vision + layerBuffer + overhead,
    weights_bytes: weights,
    kv_cache_bytes: kv,
    graph_bytes: graph,
    vision_graph_bytes: vision,
    projector_bytes: projector,
    layer_buffer_bytes: layerBuffer,
    overhead_bytes: overhead,
    context_length: contextLength,
    num_parallel: numParallel,
  };
}

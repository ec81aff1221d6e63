import type { ArchitectureFacts } from './types.js';
import { visionGraphBytes, type VisionEncoder } from './vision.js';

/** One tensor as /api/show lists it (Ollama ≥ 0.6.1 sends them with or without `verbose`). */
export interface ShowTensor {
  name: string;
  type?: string;
  shape: number[];
}

/** The parts of Ollama's /api/show answer the estimator reads. */
export interface ShowResponseLike {
  model_info?: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
  tensors?: ShowTensor[];
  details?: { family?: string; families?: string[] | null; parameter_size?: string; quantization_level?: string };
}

/** Bytes per parameter for GGUF general.file_type values a projector is realistically stored in. */
const BYTES_PER_PARAM_BY_FILE_TYPE: Readonly<Record<number, number>> = {
  0: 4, // F32
  1: 2, // F16
  2: 18 / 32, // Q4_0
  3: 20 / 32, // Q4_1
  7: 34 / 32, // Q8_0
  8: 22 / 32, // Q5_0
  9: 24 / 32, // Q5_1
  32: 2, // BF16
};

/** Projectors ship as F16 unless they say otherwise. */
const DEFAULT_PROJECTOR_BYTES_PER_PARAM = 2;

/** Vision encoders in Ollama's library (CLIP-L, SigLIP, mllama, Qwen-VL) all use 16 heads. */
const DEFAULT_VISION_HEADS = 16;

/** Which of Ollama's vision-graph formulas fits an architecture whose tower lives in the main GGUF. */
const VISION_KIND: Readonly<Record<string, VisionEncoder['kind']>> = {
  gemma3: 'gemma3',
  mistral3: 'gemma3',
  qwen25vl: 'qwen25vl',
  mllama: 'mllama',
};

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/**
 * A GGUF value that may be one number or one number per layer (gemma3n, hybrid models). Without
 * `verbose`, Ollama does not send arrays: it sends `null` (fs/ggml/gguf.go reads no array values
 * when asked for none, and an array with no values marshals to null), and Ollama 0.1.45 sent `[]`
 * for arrays of more than five (server/routes.go getModelData). Both mean "not sent", never 0.
 */
function numbers(value: unknown): number[] | undefined {
  const one = num(value);
  if (one !== undefined) return [one];
  if (!Array.isArray(value)) return undefined;
  const all = value.map(num);
  return all.length > 0 && all.every((n) => n !== undefined) ? (all as number[]) : undefined;
}

/** The key is there but its array was left out of the answer. */
function withheld(info: Record<string, unknown>, key: string): boolean {
  const v = info[key];
  return key in info && (v === null || (Array.isArray(v) && v.length === 0));
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Per-layer attention widths read from the tensor list: `blk.N.attn_k.weight` is
 * [embedding, kv_heads × key_length] (ggml lists the input dimension first). Layers without
 * attention (recurrent or convolution blocks) have no attn_k and hold no KV cache.
 */
interface TensorWidths {
  /** Sum over layers of the K and V widths: the KV cache per token is this × bytes per element. */
  kSum: number;
  vSum: number;
  maxQ: number;
  crossLayers: number;
}

function tensorWidths(tensors: ShowTensor[] | undefined, blocks: number): TensorWidths | undefined {
  if (!tensors || tensors.length === 0) return undefined;
  const width = (name: string): number | undefined => {
    const t = tensors.find((x) => x.name === name);
    return t && t.shape.length >= 2 ? num(t.shape[1]) : undefined;
  };
  let kSum = 0;
  let vSum = 0;
  let maxQ = 0;
  let crossLayers = 0;
  let found = false;
  for (let i = 0; i < blocks; i++) {
    const k = width(`blk.${i}.attn_k.weight`);
    if (tensors.some((t) => t.name === `blk.${i}.cross_attn_k_proj.weight`)) crossLayers++;
    if (k === undefined) continue;
    found = true;
    kSum += k;
    vSum += width(`blk.${i}.attn_v.weight`) ?? k;
    maxQ = Math.max(maxQ, width(`blk.${i}.attn_q.weight`) ?? 0);
  }
  return found || crossLayers > 0 ? { kSum, vSum, maxQ, crossLayers } : undefined;
}

function projectorBytes(info: Record<string, unknown>, projector: Record<string, unknown> | undefined, arch: string): number {
  if (projector) {
    const params = num(projector['general.parameter_count']);
    if (params !== undefined) {
      const fileType = num(projector['general.file_type']);
      const perParam = fileType !== undefined ? BYTES_PER_PARAM_BY_FILE_TYPE[fileType] : undefined;
      return Math.round(params * (perParam ?? DEFAULT_PROJECTOR_BYTES_PER_PARAM));
    }
  }
  // Gemma 3, Qwen2.5-VL and newer mllama blobs carry the vision tower inside the main GGUF; a ViT
  // layer holds 4·d² attention and 2·d·ffn MLP weights, stored in F16.
  const blocks = num(info[`${arch}.vision.block_count`]);
  const emb = num(info[`${arch}.vision.embedding_length`]);
  if (blocks === undefined || emb === undefined) return 0;
  const ffn = num(info[`${arch}.vision.feed_forward_length`]) ?? 4 * emb;
  return blocks * (4 * emb * emb + 2 * emb * ffn) * DEFAULT_PROJECTOR_BYTES_PER_PARAM;
}

/**
 * The vision encoder's description: in a separate projector blob its keys are `clip.vision.*` or,
 * for mllama, `mllama.vision.*` in projector_info; otherwise `<arch>.vision.*` in model_info.
 */
function visionGraph(info: Record<string, unknown>, projector: Record<string, unknown> | undefined, arch: string): number {
  const projectorArch = typeof projector?.['general.architecture'] === 'string' ? (projector['general.architecture'] as string) : 'clip';
  const fromProjector = projector && num(projector[`${projectorArch}.vision.patch_size`]) !== undefined;
  const source = fromProjector ? (projector as Record<string, unknown>) : info;
  const owner = fromProjector ? projectorArch : arch;
  const key = (name: string) => num(source[`${owner}.vision.${name}`]);
  const patch = key('patch_size');
  if (patch === undefined || patch <= 0) return 0;
  const kind = VISION_KIND[owner] ?? 'clip';
  const encoder: VisionEncoder = {
    kind,
    patch_size: patch,
    head_count: key('attention.head_count') ?? DEFAULT_VISION_HEADS,
    embedding_length: key('embedding_length') ?? 0,
    class_embedding: kind === 'mllama' || source['clip.has_llava_projector'] === true,
  };
  const optional: Array<[keyof VisionEncoder, number | undefined]> = [
    ['image_size', key('image_size')],
    ['num_channels', key('num_channels')],
    ['max_num_tiles', key('max_num_tiles')],
    ['max_pixels', key('max_pixels')],
  ];
  for (const [field, value] of optional) if (value !== undefined) Object.assign(encoder, { [field]: value });
  if (encoder.image_size === undefined && kind !== 'qwen25vl') return 0;
  return visionGraphBytes(encoder);
}

/**
 * Architecture facts for a model outside the catalog, from its /api/show metadata. Returns
 * undefined when the answer lacks what the estimate needs (for instance per-layer head counts
 * that Ollama left out and no tensor list to read them from), so callers fall back to "unknown".
 */
export function architectureFromShow(show: ShowResponseLike, sizeBytes: number): ArchitectureFacts | undefined {
  const info = show.model_info ?? {};
  const archValue = info['general.architecture'] ?? show.details?.family;
  if (typeof archValue !== 'string' || archValue.length === 0) return undefined;
  const arch = archValue;
  const name = (k: string) => `${arch}.${k}`;
  const key = (k: string): unknown => info[name(k)];

  const blockCount = num(key('block_count'));
  const embedding = num(key('embedding_length'));
  if (blockCount === undefined || blockCount < 1 || embedding === undefined || embedding < 1) return undefined;

  const tensors = tensorWidths(show.tensors, blockCount);
  const heads = numbers(key('attention.head_count'));
  const kvHeads = numbers(key('attention.head_count_kv'));
  const headsWithheld = withheld(info, name('attention.head_count'));
  const kvWithheld = withheld(info, name('attention.head_count_kv'));

  // Layers without attention (recurrent blocks) report 0 heads; they must not shrink the head width.
  let headCount = heads ? Math.max(...heads) : undefined;
  const minHeads = heads ? Math.min(...heads.filter((h) => h > 0)) : undefined;
  // GGUF omits key/value_length when they equal embedding / heads, as Ollama assumes too.
  const derivedHead = minHeads && Number.isFinite(minHeads) ? embedding / minHeads : undefined;
  let keyLength = num(key('attention.key_length')) ?? derivedHead;
  let valueLength = num(key('attention.value_length')) ?? derivedHead;

  let headCountKv: number | undefined;
  if (kvHeads) headCountKv = mean(kvHeads);
  else if (headCount !== undefined && !kvWithheld && !headsWithheld) {
    // GGUF omits head_count_kv when every query head has its own key and value.
    headCountKv = headCount;
  } else {
    // Counts Ollama did not send (or a GGUF without them): the tensors say how wide each layer's K and V are.
    if (!tensors || tensors.kSum === 0) return undefined;
    keyLength ??= num(key('rope.dimension_count')) ?? 128;
    headCountKv = tensors.kSum / keyLength / blockCount;
    valueLength = tensors.vSum / (headCountKv * blockCount);
    if (headCount === undefined && tensors.maxQ > 0) headCount = tensors.maxQ / keyLength;
  }
  keyLength ??= embedding;
  valueLength ??= embedding;

  // The token list is withheld without `verbose`; the embedding matrix [embedding, vocabulary] still says how many.
  const tokens = info['tokenizer.ggml.tokens'];
  const embeddingShape = show.tensors?.find((t) => t.name === 'token_embd.weight')?.shape;
  const vocab =
    num(key('vocab_size')) ??
    (Array.isArray(tokens) && tokens.length > 0 ? tokens.length : undefined) ??
    (embeddingShape && embeddingShape.length >= 2 ? num(embeddingShape[1]) : undefined);

  const facts: ArchitectureFacts = {
    architecture: arch,
    block_count: blockCount,
    head_count_kv: headCountKv,
    key_length: keyLength,
    value_length: valueLength,
    embedding_length: embedding,
    projector_bytes: Math.min(projectorBytes(info, show.projector_info, arch), Math.max(0, sizeBytes)),
  };
  if (headCount !== undefined && headCount > 0) facts.head_count = headCount;
  if (vocab !== undefined) facts.vocab_size = vocab;
  // Ollama only shrinks the cache of Gemma 3's local layers (1 global layer in 6); for other
  // sliding-window models it keeps the full context, and so do we.
  const window = num(key('attention.sliding_window'));
  if (arch === 'gemma3' && window !== undefined && window > 0) {
    facts.sliding_window = window;
    facts.sliding_window_pattern = 6;
  }
  const cross = numbers(key('attention.cross_attention_layers'))?.length ?? tensors?.crossLayers ?? 0;
  if (cross > 0) facts.cross_attention_layers = cross;
  const vision = visionGraph(info, show.projector_info, arch);
  if (vision > 0) facts.vision_graph_bytes = vision;
  return facts;
}

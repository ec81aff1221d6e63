import type { ArchitectureFacts } from './types.js';
import { patchTokens, visionGraphBytes } from './vision.js';

/** The parts of Ollama's /api/show answer the estimator reads. */
export interface ShowResponseLike {
  model_info?: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
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

/** Qwen2.5-VL has no fixed image size; Ollama caps an image at 28·28·1280 pixels. */
const QWEN_VL_DEFAULT_MAX_PIXELS = 28 * 28 * 1280;

/** Vision encoders in Ollama's library (CLIP-L, SigLIP, mllama, Qwen-VL) all use 16 heads. */
const DEFAULT_VISION_HEADS = 16;

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** A GGUF value that may be one number or one number per layer (gemma3n, hybrid models). */
function numbers(value: unknown): number[] | undefined {
  const one = num(value);
  if (one !== undefined) return [one];
  if (!Array.isArray(value)) return undefined;
  const all = value.map(num);
  return all.length > 0 && all.every((n) => n !== undefined) ? (all as number[]) : undefined;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
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

function visionGraph(info: Record<string, unknown>, projector: Record<string, unknown> | undefined, arch: string): number {
  const prefix = projector && num(projector['clip.vision.patch_size']) !== undefined ? 'clip.vision' : `${arch}.vision`;
  const source = prefix === 'clip.vision' ? (projector as Record<string, unknown>) : info;
  const patch = num(source[`${prefix}.patch_size`]);
  if (patch === undefined || patch <= 0) return 0;
  const heads = num(source[`${prefix}.attention.head_count`]) ?? DEFAULT_VISION_HEADS;
  const tiles = num(source[`${prefix}.max_num_tiles`]) ?? 1;
  const imageSize = num(source[`${prefix}.image_size`]);
  const tokens =
    imageSize !== undefined
      ? patchTokens(imageSize, patch) * tiles
      : Math.floor((num(source[`${prefix}.max_pixels`]) ?? QWEN_VL_DEFAULT_MAX_PIXELS) / (patch * patch));
  return visionGraphBytes(tokens, heads);
}

/**
 * Architecture facts for a model outside the catalog, from its /api/show metadata. Returns
 * undefined when the GGUF lacks what the estimate needs, so callers fall back to "unknown".
 */
export function architectureFromShow(show: ShowResponseLike, sizeBytes: number): ArchitectureFacts | undefined {
  const info = show.model_info ?? {};
  const archValue = info['general.architecture'] ?? show.details?.family;
  if (typeof archValue !== 'string' || archValue.length === 0) return undefined;
  const arch = archValue;
  const key = (name: string): unknown => info[`${arch}.${name}`];

  const blockCount = num(key('block_count'));
  const embedding = num(key('embedding_length'));
  if (blockCount === undefined || blockCount < 1 || embedding === undefined || embedding < 1) return undefined;

  const heads = numbers(key('attention.head_count'));
  // Layers without attention (recurrent blocks) report 0 heads; they must not shrink the head width.
  const headCount = heads ? Math.max(...heads) : undefined;
  const minHeads = heads ? Math.min(...heads.filter((h) => h > 0)) : undefined;
  const kvHeads = numbers(key('attention.head_count_kv'));
  const headCountKv = kvHeads ? mean(kvHeads) : (headCount ?? 1);
  // GGUF omits key/value_length when they equal embedding / heads, as Ollama assumes too.
  const derivedHead = minHeads && Number.isFinite(minHeads) ? embedding / minHeads : embedding;
  const keyLength = num(key('attention.key_length')) ?? derivedHead;
  const valueLength = num(key('attention.value_length')) ?? derivedHead;

  const tokens = info['tokenizer.ggml.tokens'];
  const vocab = num(key('vocab_size')) ?? (Array.isArray(tokens) && tokens.length > 0 ? tokens.length : undefined);

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
  const vision = visionGraph(info, show.projector_info, arch);
  if (vision > 0) facts.vision_graph_bytes = vision;
  return facts;
}

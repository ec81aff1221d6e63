import { describe, expect, it } from 'vitest';
import { findCatalogEntry } from '../daemon/catalog/catalog.js';
import {
  DEFAULT_CONTEXT_LENGTH,
  architectureFromShow,
  estimateMemory,
  kvCacheBytes,
  visionGraphBytes,
  type EstimateInput,
} from '../daemon/catalog/estimate.js';
import type { ArchitectureFacts } from '../daemon/catalog/types.js';

const GB = 1e9;

function catalogArch(name: string): { size_bytes: number; architecture: ArchitectureFacts } {
  const entry = findCatalogEntry(name);
  if (!entry) throw new Error(`${name} missing from catalog`);
  return { size_bytes: entry.size_bytes, architecture: entry.architecture };
}

const llama8b: ArchitectureFacts = {
  architecture: 'llama', block_count: 32, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
  embedding_length: 4096, vocab_size: 128_256, projector_bytes: 0,
};

/** Gemma 3 as Ollama before 0.6.3 estimated it: every layer caching the whole context (fs/ggml/ggml.go, f66216e39). */
function withoutSlidingWindow(name: string): { size_bytes: number; architecture: ArchitectureFacts } {
  const c = catalogArch(name);
  return { ...c, architecture: { ...c.architecture, sliding_window: undefined, sliding_window_pattern: undefined } };
}

const GIB = 1024 ** 3;

/**
 * Published `ollama ps` SIZE figures, /api/ps `size` and the scheduler's `memory.required.full` log
 * line, each with the context, parallel slots, Ollama version and flash-attention setting it was
 * taken at. Older Ollama printed its estimate; newer prints what it allocated; both are what a
 * photographer sees, so both calibrate. Every catalog family with a published figure is here;
 * llava, minicpm-v (qwen2), moondream (phi2) and mixtral have none that we could find.
 */
const PUBLISHED: ReadonlyArray<{ label: string; input: EstimateInput; published: number }> = [
  {
    // Ollama docs, "Context length": `gemma3:latest a2af6cc3eb7f 6.6 GB 100% GPU 65536` (Oct 2025, Ollama 0.12,
    // which runs gemma3 with flash attention by default). a2af6cc3eb7f is gemma3:4b.
    // https://github.com/ollama/ollama/blob/3d99d9779/docs/context-length.mdx
    label: 'gemma3:4b at 65,536 tokens (0.12, flash attention)',
    input: { ...catalogArch('gemma3:4b'), context_length: 65_536, num_parallel: 1 },
    published: 6.6 * GB,
  },
  {
    // `parallel=4 ... required="6.2 GiB"`, layers.model=35, blob sha256-377655e6… (gemma3:4b), Ollama 0.6.2 with its
    // default 2,048-token context and flash attention off; that estimator kept the full context in every layer.
    // https://github.com/ollama/ollama/issues/9848
    label: 'gemma3:4b at 2,048 tokens × 4 slots (0.6.2)',
    input: { ...withoutSlidingWindow('gemma3:4b'), context_length: 2048, num_parallel: 4, flash_attention: false },
    published: 6.2 * GIB,
  },
  {
    // `layers.model=49 ... memory.required.full="10.3 GiB" ... memory.required.kv="608.0 MiB"` for gemma3:12b Q4_K_M on
    // Ollama 0.6.6, OLLAMA_CONTEXT_LENGTH=2048, OLLAMA_FLASH_ATTENTION=false (the 608 MiB is the sliding-window cache).
    // https://github.com/ollama/ollama/issues/10341
    label: 'gemma3:12b at 2,048 tokens (0.6.6)',
    input: { ...catalogArch('gemma3:12b'), context_length: 2048, num_parallel: 1, flash_attention: false },
    published: 10.3 * GIB,
  },
  {
    // `parallel=1 ... layers.model=63 ... memory.required.full="26.8 GiB" ... memory.required.kv="7.8 GiB"` for
    // gemma3:27b Q4_K_M (March 16, 2025, Ollama 0.6.x before 0.6.3): 7.8 GiB is 16,384 tokens in every one of 62 layers.
    // https://github.com/ollama/ollama/issues/9791
    label: 'gemma3:27b at 16,384 tokens (0.6.1)',
    input: { ...withoutSlidingWindow('gemma3:27b'), context_length: 16_384, num_parallel: 1, flash_attention: false },
    published: 26.8 * GIB,
  },
  {
    // `qwen2.5vl:latest 5ced39dfa4ba 8.5 GB 100% GPU 4096`, OLLAMA_NUM_PARALLEL:1, RTX 4090 (Ollama 0.11).
    // https://github.com/ollama/ollama/issues/12261
    label: 'qwen2.5vl:7b at 4,096 tokens',
    input: { ...catalogArch('qwen2.5vl:7b'), context_length: 4096, num_parallel: 1 },
    published: 8.5 * GB,
  },
  {
    // `projector.weights="1.8 GiB" projector.graph="2.8 GiB" ... memory.required.full="11.3 GiB" memory.required.kv="656.2 MiB"
    // ... memory.graph.full="258.5 MiB"`, llama3.2-vision (blobs 11f274007f09 + ece5e659647a), --ctx-size 2048 --parallel 1.
    // https://github.com/ollama/ollama/issues/9311
    label: 'llama3.2-vision:11b at 2,048 tokens',
    input: { ...catalogArch('llama3.2-vision:11b'), context_length: 2048, num_parallel: 1 },
    published: 11.3 * GIB,
  },
  {
    // `llama3:latest 365c0bd3c000 32 GB 36%/64% CPU/GPU` with OLLAMA_NUM_PARALLEL=64 and the then-default
    // 2,048-token context (Ollama 0.2.7): 64 slots make the cache dominate. llama3:8b is Q4_0, 4,661,224,676 B.
    // https://github.com/ollama/ollama/issues/5756
    label: 'llama3:8b at 2,048 tokens × 64 slots',
    input: { size_bytes: 4_661_224_676, architecture: { ...llama8b }, context_length: 2048, num_parallel: 64 },
    published: 32 * GB,
  },
  {
    // Ollama FAQ, "How can I tell if my model was loaded onto the GPU?": `llama3:70b bcfb190ca3a7 42 GB 100% GPU`
    // (May 2024: 2,048-token default, one slot). Q4_0 file ≈ 37.22 GiB as llama.cpp reports it (ollama/ollama#6279).
    // https://github.com/ollama/ollama/blob/main/docs/faq.md#how-can-i-tell-if-my-model-was-loaded-onto-the-gpu
    label: 'llama3:70b at 2,048 tokens',
    input: {
      size_bytes: 39_965_000_000,
      architecture: { ...llama8b, block_count: 80, head_count: 64, embedding_length: 8192 },
      context_length: 2048,
      num_parallel: 1,
    },
    published: 42 * GB,
  },
  {
    // Ollama API docs, "List Running Models": mistral:latest (v0.3, Q4_0, 4,113,301,824 B) `"size": 5137025024`
    // (June 2024: 2,048-token default, one slot). https://github.com/ollama/ollama/blob/main/docs/api.md#list-running-models
    label: 'mistral:7b at 2,048 tokens',
    input: { size_bytes: 4_113_301_824, architecture: { ...llama8b, vocab_size: 32_768 }, context_length: 2048, num_parallel: 1 },
    published: 5_137_025_024,
  },
  {
    // `llama3.1:latest 91ab477bec9d 6.5 GB 47%/53% CPU/GPU` on Ollama 0.7.0 (default 4,096 tokens; the model did
    // not fit, so one slot). 91ab477bec9d is the Q4_0 llama3.1 of 4,661,230,977 B. https://github.com/ollama/ollama/issues/10801
    label: 'llama3.1:8b (Q4_0) at 4,096 tokens',
    input: { size_bytes: 4_661_230_977, architecture: { ...llama8b }, context_length: 4096, num_parallel: 1 },
    published: 6.5 * GB,
  },
];

describe('estimateMemory against published ollama ps figures', () => {
  it.each(PUBLISHED)('$label is within ±10%', ({ input, published }) => {
    const { total_bytes } = estimateMemory(input);
    expect(Math.abs(total_bytes - published) / published).toBeLessThanOrEqual(0.1);
  });
});

describe('estimateMemory components', () => {
  const base: EstimateInput = { size_bytes: 4_920_753_328, architecture: llama8b };

  it('defaults to 4,096 tokens and one slot, and the parts add up to the total', () => {
    const m = estimateMemory(base);
    expect(DEFAULT_CONTEXT_LENGTH).toBe(4096);
    expect(m.context_length).toBe(4096);
    expect(m.num_parallel).toBe(1);
    expect(m.total_bytes).toBe(
      m.weights_bytes + m.projector_bytes + m.kv_cache_bytes + m.graph_bytes + m.vision_graph_bytes + m.layer_buffer_bytes + m.overhead_bytes,
    );
  });

  it('holds one layer and its cache spare, as Ollama does before placing layers', () => {
    const m = estimateMemory(base);
    expect(m.layer_buffer_bytes).toBe(Math.ceil((4_920_753_328 + 536_870_912) / 32));
  });

  it('sizes the f16 KV cache as context × layers × (key + value) × KV heads × 2 bytes', () => {
    // 4096 × 32 × 256 × 8 × 2 = 536,870,912: the 512 MiB Ollama logs for llama3.1:8b at 4K.
    expect(estimateMemory(base).kv_cache_bytes).toBe(536_870_912);
  });

  it('scales the KV cache linearly with context and with parallel slots', () => {
    const kv = (context_length: number, num_parallel: number) =>
      estimateMemory({ ...base, context_length, num_parallel }).kv_cache_bytes;
    expect(kv(8192, 1)).toBe(2 * kv(4096, 1));
    expect(kv(32_768, 1)).toBe(8 * kv(4096, 1));
    expect(kv(4096, 2)).toBe(2 * kv(4096, 1));
    expect(kv(4096, 4)).toBe(kv(16_384, 1));
  });

  it('makes a q8_0 cache about half of f16 and q4_0 about a quarter', () => {
    const f16 = estimateMemory({ ...base, context_length: 32_768 }).kv_cache_bytes;
    const q8 = estimateMemory({ ...base, context_length: 32_768, kv_cache_type: 'q8_0' }).kv_cache_bytes;
    const q4 = estimateMemory({ ...base, context_length: 32_768, kv_cache_type: 'q4_0' }).kv_cache_bytes;
    expect(q8 / f16).toBeGreaterThan(0.5);
    expect(q8 / f16).toBeLessThan(0.55);
    expect(q4 / f16).toBeGreaterThan(0.25);
    expect(q4 / f16).toBeLessThan(0.3);
  });

  it('keeps only the sliding window in Gemma 3 local layers', () => {
    const gemma = catalogArch('gemma3:4b').architecture;
    const full = kvCacheBytes({ ...gemma, sliding_window: undefined }, 65_536, 1);
    const windowed = kvCacheBytes(gemma, 65_536, 1);
    expect(windowed).toBeLessThan(full / 4);
    // Below the window every layer holds the whole context, so the two agree.
    expect(kvCacheBytes(gemma, 1024, 1)).toBe(kvCacheBytes({ ...gemma, sliding_window: undefined }, 1024, 1));
  });

  it('reserves the vision encoder scratch beside the text scratch, not instead of it', () => {
    const qwen = catalogArch('qwen2.5vl:7b');
    const m = estimateMemory({ ...qwen, context_length: 4096 });
    expect(m.vision_graph_bytes).toBe(qwen.architecture.vision_graph_bytes);
    // GraphSize has no qwen25vl formula, so Ollama falls back to GQA × cache / 6 (llm/memory.go).
    expect(m.graph_bytes).toBe(Math.round((28 / 4) * m.kv_cache_bytes / 6));
    expect(m.projector_bytes).toBe(qwen.architecture.projector_bytes);
    expect(m.weights_bytes + m.projector_bytes).toBe(qwen.size_bytes);
  });

  it('drops the attention scores from the text scratch when flash attention is on', () => {
    const gemma = catalogArch('gemma3:4b');
    const on = estimateMemory({ ...gemma, context_length: 65_536 });
    const off = estimateMemory({ ...gemma, context_length: 65_536, flash_attention: false });
    // Gemma 3 runs with flash attention by default: only the 262,144-entry logits of one batch remain.
    expect(on.graph_bytes).toBe(4 * 512 * (2560 + 262_144));
    expect(off.graph_bytes).toBe(4 * 512 * (2 + 65_536 * 9 + 2 * 2560 + 2 * 256 * 8));
    expect(estimateMemory({ ...base, context_length: 65_536 }).graph_bytes).toBe(4 * 512 * (1 + 4 * 4096 + 65_536 * 33));
  });

  it('caches the image in f32 in mllama cross-attention layers, whatever the context', () => {
    const vision = catalogArch('llama3.2-vision:11b');
    const cross = 8 * 8 * 256 * 4 * 1601 * 4;
    const at = (context_length: number) => estimateMemory({ ...vision, context_length }).kv_cache_bytes;
    // 32 self-attention layers at 2,048 tokens plus the 8 cross-attention layers: the 656.2 MiB Ollama logged (#9311).
    expect(at(2048)).toBe(32 * 2048 * 4096 + cross);
    expect(at(2048) / 1024 ** 2).toBeCloseTo(656.25, 1);
    expect(at(4096) - at(2048)).toBe(32 * 2048 * 4096);
  });

  it('rejects nonsense inputs', () => {
    expect(() => estimateMemory({ ...base, context_length: 0 })).toThrow(RangeError);
    expect(() => estimateMemory({ ...base, num_parallel: Number.NaN })).toThrow(RangeError);
    expect(() => estimateMemory({ ...base, size_bytes: -1 })).toThrow(RangeError);
  });
});

/** /api/show answers as Ollama returns them: arrays it does not send in full come back as null. */
const SHOW_LLAMA31_8B = {
  details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '8.0B', quantization_level: 'Q4_K_M' },
  model_info: {
    'general.architecture': 'llama', 'general.basename': 'Meta-Llama-3.1', 'general.file_type': 15,
    'general.parameter_count': 8_030_261_248, 'general.quantization_version': 2, 'general.size_label': '8B',
    'llama.attention.head_count': 32, 'llama.attention.head_count_kv': 8, 'llama.attention.layer_norm_rms_epsilon': 0.00001,
    'llama.block_count': 32, 'llama.context_length': 131_072, 'llama.embedding_length': 4096, 'llama.feed_forward_length': 14_336,
    'llama.rope.dimension_count': 128, 'llama.rope.freq_base': 500_000, 'llama.vocab_size': 128_256,
    'tokenizer.ggml.bos_token_id': 128_000, 'tokenizer.ggml.merges': null, 'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.token_type': null, 'tokenizer.ggml.tokens': null,
  },
};

const SHOW_GEMMA3_4B = {
  details: { format: 'gguf', family: 'gemma3', families: ['gemma3'], parameter_size: '4.3B', quantization_level: 'Q4_K_M' },
  model_info: {
    'general.architecture': 'gemma3', 'general.file_type': 15, 'general.parameter_count': 4_299_915_632,
    'gemma3.attention.head_count': 8, 'gemma3.attention.head_count_kv': 4, 'gemma3.attention.key_length': 256,
    'gemma3.attention.value_length': 256, 'gemma3.attention.sliding_window': 1024, 'gemma3.block_count': 34,
    'gemma3.context_length': 131_072, 'gemma3.embedding_length': 2560, 'gemma3.feed_forward_length': 10_240,
    'gemma3.mm.tokens_per_image': 256, 'gemma3.vision.attention.head_count': 16, 'gemma3.vision.block_count': 27,
    'gemma3.vision.embedding_length': 1152, 'gemma3.vision.feed_forward_length': 4304, 'gemma3.vision.image_size': 896,
    'gemma3.vision.num_channels': 3, 'gemma3.vision.patch_size': 14,
    'tokenizer.ggml.model': 'llama', 'tokenizer.ggml.tokens': null,
  },
  // Abridged: Ollama lists every tensor; the embedding matrix is the one that gives the vocabulary away.
  tensors: [{ name: 'token_embd.weight', type: 'Q6_K', shape: [2560, 262_144] }],
};

const SHOW_LLAVA_7B = {
  details: { format: 'gguf', family: 'llama', families: ['llama', 'clip'], parameter_size: '7B', quantization_level: 'Q4_0' },
  model_info: {
    'general.architecture': 'llama', 'general.file_type': 2, 'general.parameter_count': 7_241_732_096,
    'llama.attention.head_count': 32, 'llama.attention.head_count_kv': 8, 'llama.block_count': 32,
    'llama.context_length': 32_768, 'llama.embedding_length': 4096, 'llama.feed_forward_length': 14_336,
    'llama.rope.dimension_count': 128, 'tokenizer.ggml.tokens': null,
  },
  projector_info: {
    'clip.has_llava_projector': true, 'clip.vision.attention.head_count': 16, 'clip.vision.block_count': 23,
    'clip.vision.embedding_length': 1024, 'clip.vision.feed_forward_length': 4096, 'clip.vision.image_size': 336,
    'clip.vision.patch_size': 14, 'clip.vision.projection_dim': 768, 'general.architecture': 'clip',
    'general.file_type': 1, 'general.parameter_count': 311_841_792,
  },
};

/** Gemma 3's SigLIP on one 896 px image: pixels, patch embedding, and 4,096² scores × 16 heads in f32. */
const GEMMA3_VISION_GRAPH = 4 * (896 * 896 * 3 + 1152 * 14 + 4096 * 4096 * 16);

describe('visionGraphBytes, after Ollama\'s GGML.VisionGraphSize', () => {
  it('sizes Gemma 3 for one square crop', () => {
    expect(visionGraphBytes({ kind: 'gemma3', image_size: 896, patch_size: 14, embedding_length: 1152, head_count: 16 })).toBe(GEMMA3_VISION_GRAPH);
    expect(catalogArch('gemma3:27b').architecture.vision_graph_bytes).toBe(GEMMA3_VISION_GRAPH);
  });

  it('sizes mllama for four tiles at once: the 2.8 GiB projector.graph Ollama logged (ollama/ollama#9311)', () => {
    const bytes = catalogArch('llama3.2-vision:11b').architecture.vision_graph_bytes ?? 0;
    // 1,600 patches + class token, padded to 1,608, × 4 tiles attending to each other.
    expect(bytes).toBe(4 * (8 + 560 * 560 * 3 * 4 + 1280 * 1601 * 4 + 9 * 1280 * 1608 * 4 + (1608 * 4) ** 2 * 16));
    expect(bytes / 1024 ** 3).toBeCloseTo(2.8, 1);
  });

  it('sizes Qwen2.5-VL for the largest image Ollama lets through (28·28·1280 pixels)', () => {
    const pixels = 28 * 28 * 1280;
    const patches = pixels / 196;
    expect(catalogArch('qwen2.5vl:7b').architecture.vision_graph_bytes).toBe(
      4 * (2 * pixels * 3 + patches * 3 * 196 + patches * patches * 16 + 1280 * patches),
    );
  });
});

describe('architectureFromShow', () => {
  it('reads a llama model and reproduces the catalog estimate', () => {
    const facts = architectureFromShow(SHOW_LLAMA31_8B, 4_920_753_328);
    expect(facts).toEqual({
      architecture: 'llama', block_count: 32, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, vocab_size: 128_256, projector_bytes: 0,
    });
    const fromShow = estimateMemory({ size_bytes: 4_920_753_328, architecture: facts as ArchitectureFacts });
    expect(fromShow.total_bytes).toBe(estimateMemory(catalogArch('llama3.1:8b')).total_bytes);
  });

  it('reads Gemma 3 with its sliding window and built-in vision tower', () => {
    const facts = architectureFromShow(SHOW_GEMMA3_4B, 3_338_801_804);
    expect(facts).toMatchObject({
      architecture: 'gemma3', block_count: 34, head_count: 8, head_count_kv: 4, key_length: 256, value_length: 256,
      embedding_length: 2560, sliding_window: 1024, sliding_window_pattern: 6,
      vision_graph_bytes: GEMMA3_VISION_GRAPH,
    });
    // Withheld token list, read from token_embd.weight instead.
    expect(facts?.vocab_size).toBe(262_144);
    // 27 SigLIP layers of 1152 wide in F16 ≈ 0.82 GB, close to the 851 MB F16 mmproj of the same encoder.
    expect(facts?.projector_bytes).toBeGreaterThan(0.78 * GB);
    expect(facts?.projector_bytes).toBeLessThan(0.88 * GB);
    const fromShow = estimateMemory({ size_bytes: 3_338_801_804, architecture: facts as ArchitectureFacts }).total_bytes;
    const fromCatalog = estimateMemory(catalogArch('gemma3:4b')).total_bytes;
    expect(Math.abs(fromShow - fromCatalog) / fromCatalog).toBeLessThan(0.02);
  });

  it('reads a llava model whose projector is a separate CLIP blob', () => {
    const facts = architectureFromShow(SHOW_LLAVA_7B, 4_733_363_377);
    // 311,841,792 F16 parameters.
    expect(facts?.projector_bytes).toBe(623_683_584);
    // 24 × 24 patches and the class token, in one crop.
    expect(facts?.vision_graph_bytes).toBe(4 * 577 * 577 * 16);
    // No vocab_size in this GGUF: the estimator falls back to its default.
    expect(facts?.vocab_size).toBeUndefined();
    const fromShow = estimateMemory({ size_bytes: 4_733_363_377, architecture: facts as ArchitectureFacts }).total_bytes;
    const fromCatalog = estimateMemory(catalogArch('llava:7b')).total_bytes;
    expect(Math.abs(fromShow - fromCatalog) / fromCatalog).toBeLessThan(0.03);
    // A projector can never be larger than the download it is part of.
    expect(architectureFromShow(SHOW_LLAVA_7B, 100_000_000)?.projector_bytes).toBe(100_000_000);
  });

  it('averages per-layer KV heads and ignores attention-free layers for the head width', () => {
    const facts = architectureFromShow(
      {
        model_info: {
          'general.architecture': 'hybrid', 'hybrid.block_count': 4, 'hybrid.embedding_length': 2048,
          'hybrid.attention.head_count': [16, 0, 16, 0], 'hybrid.attention.head_count_kv': [4, 0, 4, 0],
        },
      },
      1e9,
    );
    expect(facts).toMatchObject({ head_count: 16, head_count_kv: 2, key_length: 128, value_length: 128 });
  });

  // What Ollama really sends for the same hybrid model without `verbose`: the per-layer arrays as null (Ollama
  // ≥ 0.1.46) or, in 0.1.45, as [] for more than five items. The tensor list says how wide each layer's K and V are.
  const hybridTensors = [0, 2].flatMap((i) => [
    { name: `blk.${i}.attn_q.weight`, type: 'Q4_K', shape: [2048, 2048] },
    { name: `blk.${i}.attn_k.weight`, type: 'Q4_K', shape: [2048, 512] },
    { name: `blk.${i}.attn_v.weight`, type: 'Q6_K', shape: [2048, 512] },
  ]).concat([1, 3].map((i) => ({ name: `blk.${i}.ssm_in.weight`, type: 'Q4_K', shape: [2048, 8192] })));
  const hybridInfo = (withheld: null | []) => ({
    'general.architecture': 'hybrid', 'hybrid.block_count': 4, 'hybrid.embedding_length': 2048, 'hybrid.attention.key_length': 128,
    'hybrid.attention.head_count': withheld, 'hybrid.attention.head_count_kv': withheld,
  });

  it.each([['null', null], ['[]', []]] as const)('reads per-layer widths from the tensors when Ollama sends the arrays as %s', (_, withheld) => {
    const facts = architectureFromShow({ model_info: hybridInfo(withheld as null | []), tensors: hybridTensors }, 1e9);
    expect(facts).toMatchObject({ head_count: 16, head_count_kv: 2, key_length: 128, value_length: 128 });
    // Two attention layers of 4 KV heads × (128 + 128) × 2 bytes per token: the same cache as from the full arrays.
    expect(kvCacheBytes(facts as ArchitectureFacts, 4096, 1)).toBe(2 * 4096 * 4 * 256 * 2);
  });

  it('calls a model with withheld head counts and no tensor list unknown rather than guessing one head', () => {
    expect(architectureFromShow({ model_info: hybridInfo(null) }, 1e9)).toBeUndefined();
    expect(architectureFromShow({ model_info: hybridInfo([]), tensors: [] }, 1e9)).toBeUndefined();
  });

  it('reads an mllama model whose vision keys live in projector_info', () => {
    const crossLayers = [3, 8, 13, 18, 23, 28, 33, 38];
    const show = {
      details: { family: 'mllama', parameter_size: '9.8B', quantization_level: 'Q4_K_M' },
      model_info: {
        'general.architecture': 'mllama', 'general.parameter_count': 9_775_641_632, 'mllama.block_count': 40,
        'mllama.embedding_length': 4096, 'mllama.attention.head_count': 32, 'mllama.attention.head_count_kv': 8,
        // Eight items: Ollama sends null without `verbose`.
        'mllama.attention.cross_attention_layers': null, 'mllama.vocab_size': 128_256, 'tokenizer.ggml.tokens': null,
      },
      projector_info: {
        'general.architecture': 'mllama', 'general.file_type': 1, 'general.parameter_count': 895_000_000,
        'mllama.vision.attention.head_count': 16, 'mllama.vision.block_count': 32, 'mllama.vision.embedding_length': 1280,
        'mllama.vision.image_size': 560, 'mllama.vision.max_num_tiles': 4, 'mllama.vision.num_channels': 3, 'mllama.vision.patch_size': 14,
      },
      tensors: crossLayers.map((i) => ({ name: `blk.${i}.cross_attn_k_proj.weight`, type: 'Q4_K', shape: [4096, 1024] })),
    };
    const facts = architectureFromShow(show, 7_901_829_417);
    expect(facts).toMatchObject({
      architecture: 'mllama', block_count: 40, head_count: 32, head_count_kv: 8, key_length: 128, cross_attention_layers: 8,
      projector_bytes: 1_790_000_000, vision_graph_bytes: catalogArch('llama3.2-vision:11b').architecture.vision_graph_bytes,
    });
    const fromShow = estimateMemory({ size_bytes: 7_901_829_417, architecture: facts as ArchitectureFacts }).total_bytes;
    const fromCatalog = estimateMemory(catalogArch('llama3.2-vision:11b')).total_bytes;
    expect(Math.abs(fromShow - fromCatalog) / fromCatalog).toBeLessThan(0.01);
  });

  it('gives up when the metadata cannot describe the model', () => {
    expect(architectureFromShow({}, 1e9)).toBeUndefined();
    expect(architectureFromShow({ model_info: { 'general.architecture': 'llama' } }, 1e9)).toBeUndefined();
  });
});

// The text scratch per architecture, by value, from GraphSize's fullOffload in Ollama's fs/ggml/ggml.go:
// 4 × batch × (fixed + context × (1 + heads)), or 4 × batch × (fixed + context) with flash attention,
// unless the logits (4 × batch × (embedding + vocab)) are larger. A tiny model makes the attention term win:
// embedding 64, 4 heads of 16, context 1024, one slot (batch 512), vocabulary 1.
describe('graph scratch per architecture', () => {
  const tiny = (architecture: string, extra: Partial<ArchitectureFacts> = {}): EstimateInput => ({
    size_bytes: 1_000_000,
    context_length: 1024,
    architecture: { architecture, block_count: 2, head_count: 4, head_count_kv: 2, key_length: 16, value_length: 16, embedding_length: 64, vocab_size: 1, projector_bytes: 0, ...extra },
  });
  const graph = (input: EstimateInput) => estimateMemory(input).graph_bytes;
  const attention = (fixed: number, flash = false) => 4 * 512 * (fixed + 1024 * (flash ? 1 : 5));

  it.each([
    ['llama', 1 + 4 * 64],
    ['llama4', 1 + 4 * 64],
    ['mllama', 2 + 3 * 64 + 16 * 4],
    ['gemma', 2 + 2 * 64 + 2 * 16 * 4],
    ['gemma2', 2 + 2 * 64 + 2 * 16 * 4],
    ['qwen2', 1 + 2 * 64],
    ['phi2', 1 + 4 * 64],
    ['command-r', 2 + 4 * 64],
  ])('%s: fixed part %i per token', (architecture, fixed) => {
    expect(graph(tiny(architecture))).toBe(attention(fixed));
    expect(graph({ ...tiny(architecture), flash_attention: true })).toBe(attention(fixed, true));
  });

  it('gemma3 runs with flash attention unless told otherwise; llama without', () => {
    const fixed = 2 + 2 * 64 + 2 * 16 * 4;
    expect(graph(tiny('gemma3'))).toBe(attention(fixed, true));
    expect(graph({ ...tiny('gemma3'), flash_attention: false })).toBe(attention(fixed));
    expect(graph(tiny('llama'))).toBe(attention(1 + 4 * 64));
  });

  it('takes heads as embedding ÷ head size when the GGUF does not say', () => {
    expect(graph(tiny('llama', { head_count: undefined }))).toBe(attention(1 + 4 * 64));
  });

  it('is the logits when they are larger', () => {
    expect(graph(tiny('llama', { vocab_size: 100_000 }))).toBe(4 * 512 * (64 + 100_000));
    // Llama 3's vocabulary when the GGUF omits it.
    expect(graph(tiny('llama', { vocab_size: undefined }))).toBe(4 * 512 * (64 + 128_256));
  });

  it("is Ollama's fallback for an architecture without a formula: query heads per KV head × the cache ÷ 6, the cache as configured", () => {
    // Cache: 2 layers × 1024 tokens × (16 + 16) × 2 KV heads × 2 bytes = 262 144; × 4/2 ÷ 6 = 87 381.3.
    expect(graph(tiny('mistral3'))).toBe(87_381);
    // A q8_0 cache is 34/32 bytes a value: 139 264; × 2 ÷ 6 = 46 421.3.
    expect(graph({ ...tiny('mistral3'), kv_cache_type: 'q8_0' })).toBe(46_421);
    // Half a KV head per layer on average (layers without attention): the ratio counts it as one. Cache 65 536; × 4 ÷ 6.
    expect(graph(tiny('mistral3', { head_count_kv: 0.5 }))).toBe(43_691);
  });
});

describe('estimate input checks', () => {
  const input: EstimateInput = { size_bytes: 0, architecture: llama8b };

  it('takes a model of zero bytes, and refuses a negative or non-finite size, naming it', () => {
    expect(estimateMemory(input).weights_bytes).toBe(0);
    expect(() => estimateMemory({ ...input, size_bytes: -1 })).toThrow(new RangeError('size_bytes must be a non-negative number, got -1'));
    expect(() => estimateMemory({ ...input, size_bytes: Number.NaN })).toThrow(new RangeError('size_bytes must be a non-negative number, got NaN'));
  });

  it('refuses a context or slot count below one, naming the field and the value', () => {
    expect(() => estimateMemory({ ...input, context_length: 0 })).toThrow(new RangeError('context_length must be a positive number, got 0'));
    expect(() => estimateMemory({ ...input, num_parallel: Infinity })).toThrow(new RangeError('num_parallel must be a positive number, got Infinity'));
  });
});

describe('KV cache with a sliding window', () => {
  const windowed: ArchitectureFacts = { ...llama8b, block_count: 12, sliding_window: 1024, sliding_window_pattern: 6 };
  // Per token: (128 + 128) × 8 KV heads × 2 bytes = 4096.
  it('caches the whole context in every 6th layer and the window plus a batch in the others', () => {
    expect(kvCacheBytes(windowed, 8192, 1)).toBe((2 * 8192 + 10 * (1024 + 512)) * 4096);
  });

  it('takes a pattern below one as no window', () => {
    expect(kvCacheBytes({ ...windowed, sliding_window_pattern: -6 }, 8192, 1)).toBe(12 * 8192 * 4096);
  });

  it("adds the cross-attention layers' image cache to a windowed model too", () => {
    // 2 cross layers × 256 × 8 × 4 bytes × 6404 image tokens; the 10 others: 1 global, 9 local.
    expect(kvCacheBytes({ ...windowed, cross_attention_layers: 2 }, 8192, 1)).toBe((8192 + 9 * (1024 + 512)) * 4096 + 2 * 256 * 8 * 4 * 6404);
  });
});

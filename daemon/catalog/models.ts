import type { ArchitectureFacts, CatalogEntry } from './types.js';
import { patchTokens, visionGraphBytes } from './vision.js';

/**
 * The curated library, minus min_vram_gb (catalog.ts derives it). Sizes, quantisations and
 * parameter_size are what Ollama's /api/tags reports for each library tag; architecture numbers are
 * the GGUF metadata (block_count, attention.head_count[_kv], key_length, embedding_length) Ollama
 * shows for the same blob. Figures we could not confirm byte-for-byte say where they came from.
 */
export type CatalogSeed = Omit<CatalogEntry, 'min_vram_gb'>;

const llama = (blocks: number, heads: number, emb: number, keyLength = 128): ArchitectureFacts => ({
  architecture: 'llama', block_count: blocks, head_count: heads, head_count_kv: 8, key_length: keyLength,
  value_length: keyLength, embedding_length: emb, projector_bytes: 0, vocab_size: 128_256,
});

/** Gemma 3 shares one SigLIP encoder (896 px, 14 px patches, 16 heads) across sizes. */
const gemma3 = (blocks: number, heads: number, kvHeads: number, headDim: number, emb: number, projector: number): ArchitectureFacts => ({
  architecture: 'gemma3', block_count: blocks, head_count: heads, head_count_kv: kvHeads, key_length: headDim,
  value_length: headDim, embedding_length: emb, vocab_size: 262_144, sliding_window: 1024, sliding_window_pattern: 6,
  projector_bytes: projector, vision_graph_bytes: visionGraphBytes(patchTokens(896, 14), 16),
});

const TEXT_ONLY: CatalogSeed[] = [
  {
    name: 'llama3.2:1b', display_name: 'Llama 3.2 1B', family: 'llama', parameter_count: 1.24e9, parameter_size: '1.2B',
    quantization: 'Q8_0', size_bytes: 1_321_098_329, purpose: 'speed', capabilities: ['completion', 'tools'], context_length: 131_072,
    description: 'The smallest Llama. It cannot see photos, but turns keywords and ratings into short captions almost instantly.',
    recommended_use: 'Rewriting or tidying captions and keyword lists on laptops with little or no GPU memory.',
    architecture: llama(16, 32, 2048, 64),
  },
  {
    name: 'llama3.2:3b', display_name: 'Llama 3.2 3B', family: 'llama', parameter_count: 3.21e9, parameter_size: '3.2B',
    quantization: 'Q4_K_M', size_bytes: 2_019_393_189, purpose: 'speed', capabilities: ['completion', 'tools'], context_length: 131_072,
    description: 'A quick text-only model that writes clearer captions and titles than the 1B while staying light.',
    recommended_use: 'Polishing captions and titles from a vision model\'s notes when GPU memory is tight.',
    architecture: llama(28, 24, 3072),
  },
  {
    name: 'llama3.1:8b', display_name: 'Llama 3.1 8B', family: 'llama', parameter_count: 8.03e9, parameter_size: '8.0B',
    quantization: 'Q4_K_M', size_bytes: 4_920_753_328, purpose: 'balanced', capabilities: ['completion', 'tools'], context_length: 131_072,
    description: 'A dependable text-only all-rounder for writing about photos from their metadata and a vision model\'s notes.',
    recommended_use: 'Captions, descriptions and keyword clean-up for whole shoots on an 8 GB GPU.',
    architecture: llama(32, 32, 4096),
  },
  {
    // ollama.com lists mixtral:8x7b (Q4_0) as 26GB; the exact byte count was not verifiable, so this is that
    // figure rounded to the nearest 0.1 GB (a Mixtral 8x7B 4-bit GGUF is 26.44 GB, llama.cpp PR #4406).
    name: 'mixtral:8x7b', display_name: 'Mixtral 8x7B', family: 'llama', parameter_count: 46.7e9, parameter_size: '46.7B',
    quantization: 'Q4_0', size_bytes: 26_400_000_000, purpose: 'quality', capabilities: ['completion', 'tools'], context_length: 32_768,
    description: 'A large text-only mixture-of-experts model that writes rich, well-structured descriptions but cannot see images.',
    recommended_use: 'Long-form write-ups of a portfolio or an edit, on workstations with 32 GB of GPU memory or more.',
    architecture: { architecture: 'llama', block_count: 32, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, projector_bytes: 0, vocab_size: 32_000 },
  },
  {
    name: 'llama3.1:70b', display_name: 'Llama 3.1 70B', family: 'llama', parameter_count: 70.6e9, parameter_size: '70.6B',
    quantization: 'Q4_K_M', size_bytes: 42_520_413_916, purpose: 'quality', capabilities: ['completion', 'tools'], context_length: 131_072,
    description: 'The strongest text-only writer here, for the most careful captions and sequencing notes. It cannot see images.',
    recommended_use: 'Final captions and book or exhibition texts on multi-GPU machines with 48 GB of GPU memory or more.',
    architecture: llama(80, 64, 8192),
  },
];

const VISION: CatalogSeed[] = [
  {
    // Vision tensors live inside this GGUF (F16 SigLIP); 851 MB is the F16 mmproj of the same encoder for the 4B.
    name: 'gemma3:4b', display_name: 'Gemma 3 4B', family: 'gemma3', parameter_count: 4.3e9, parameter_size: '4.3B',
    quantization: 'Q4_K_M', size_bytes: 3_338_801_804, purpose: 'balanced', capabilities: ['completion', 'vision'], context_length: 131_072,
    description: 'A small, capable vision model: it describes subject, light and composition well enough to rate and tag a shoot.',
    recommended_use: 'The default for culling, star ratings and keywords on 6–8 GB GPUs and recent Macs.',
    architecture: gemma3(34, 8, 4, 256, 2560, 851_000_000),
  },
  {
    // Projector: the 4B's 851 MB plus the wider 1152→3840 F16 input projection.
    name: 'gemma3:12b', display_name: 'Gemma 3 12B', family: 'gemma3', parameter_count: 12.2e9, parameter_size: '12.2B',
    quantization: 'Q4_K_M', size_bytes: 8_149_190_253, purpose: 'quality', capabilities: ['completion', 'vision'], context_length: 131_072,
    description: 'Sees finer detail than the 4B: focus, expression and distracting backgrounds, with more precise keywords.',
    recommended_use: 'Careful ratings and descriptive captions for client work on 12–16 GB GPUs.',
    architecture: gemma3(48, 16, 8, 256, 3840, 854_000_000),
  },
  {
    // Projector: the 4B's 851 MB plus the wider 1152→5376 F16 input projection.
    name: 'gemma3:27b', display_name: 'Gemma 3 27B', family: 'gemma3', parameter_count: 27.4e9, parameter_size: '27.4B',
    quantization: 'Q4_K_M', size_bytes: 17_396_936_941, purpose: 'quality', capabilities: ['completion', 'vision'], context_length: 131_072,
    description: 'The most perceptive vision model in the catalog: nuanced judgements of mood, timing and technical flaws.',
    recommended_use: 'Selecting portfolio picks and writing detailed captions on 24 GB GPUs.',
    architecture: gemma3(62, 32, 16, 128, 5376, 858_000_000),
  },
  {
    // Projector: download minus the qwen2.5:7b text GGUF (4,683,087,561 B), i.e. the F16 vision tower.
    // Vision graph: Ollama caps an image at 28·28·1280 pixels, 5,120 patches of 14 px.
    name: 'qwen2.5vl:7b', display_name: 'Qwen2.5-VL 7B', family: 'qwen25vl', parameter_count: 8.29e9, parameter_size: '8.3B',
    quantization: 'Q4_K_M', size_bytes: 5_969_245_856, purpose: 'balanced', capabilities: ['completion', 'vision'], context_length: 128_000,
    description: 'Reads images at their own resolution, so it is strong on small details, signs and text within the frame.',
    recommended_use: 'Tagging event, street and documentary work where names, signs and text matter; 8–12 GB GPUs.',
    architecture: { architecture: 'qwen25vl', block_count: 28, head_count: 28, head_count_kv: 4, key_length: 128, value_length: 128,
      embedding_length: 3584, vocab_size: 152_064, projector_bytes: 1_286_000_000,
      vision_graph_bytes: visionGraphBytes(Math.floor((28 * 28 * 1280) / (14 * 14)), 16) },
  },
  {
    // Projector: Ollama lists 895M F16 parameters, 1.9GB; its scheduler logged 1.8 GiB (ollama/ollama#8310).
    // Its 8 cross-attention layers are counted like self-attention layers, a slight overestimate.
    name: 'llama3.2-vision:11b', display_name: 'Llama 3.2 Vision 11B', family: 'mllama', parameter_count: 10.7e9, parameter_size: '10.7B',
    quantization: 'Q4_K_M', size_bytes: 7_901_829_417, purpose: 'quality', capabilities: ['completion', 'vision'], context_length: 131_072,
    description: 'Meta\'s vision model: thorough, literal descriptions of what is in the frame, good for searchable keywords.',
    recommended_use: 'Detailed keywording of large archives on 12–16 GB GPUs; it handles one photo per request.',
    architecture: { architecture: 'mllama', block_count: 40, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, vocab_size: 128_256, projector_bytes: 1_900_000_000,
      vision_graph_bytes: visionGraphBytes(patchTokens(560, 14) * 4, 16) },
  },
  {
    // llava:7b is LLaVA 1.6 on Mistral 7B; projector: 312M CLIP parameters in F16 (624 MB).
    name: 'llava:7b', display_name: 'LLaVA 1.6 7B', family: 'llama', parameter_count: 7.24e9, parameter_size: '7B',
    quantization: 'Q4_0', size_bytes: 4_733_363_377, purpose: 'speed', capabilities: ['completion', 'vision'], context_length: 32_768,
    description: 'An older, widely used vision model: quick, broad descriptions, less reliable on fine detail than Gemma 3.',
    recommended_use: 'Fast first-pass tags on 6–8 GB GPUs, or comparing against results from earlier workflows.',
    architecture: { architecture: 'llama', block_count: 32, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, vocab_size: 32_000, projector_bytes: 624_000_000,
      vision_graph_bytes: visionGraphBytes(patchTokens(336, 14) + 1, 16) },
  },
  {
    // MiniCPM-V 2.6 (Qwen2 7B + SigLIP). Projector: download minus the qwen2:7b Q4_0 text GGUF (≈4.43 GB).
    name: 'minicpm-v:8b', display_name: 'MiniCPM-V 2.6 8B', family: 'qwen2', parameter_count: 7.61e9, parameter_size: '7.6B',
    quantization: 'Q4_0', size_bytes: 5_473_838_466, purpose: 'balanced', capabilities: ['completion', 'vision'], context_length: 32_768,
    description: 'Efficient and sharp-eyed, particularly good at reading text in images and describing busy scenes.',
    recommended_use: 'Keywording documents, products and scenes with lettering on 8 GB GPUs.',
    architecture: { architecture: 'qwen2', block_count: 28, head_count: 28, head_count_kv: 4, key_length: 128, value_length: 128,
      embedding_length: 3584, vocab_size: 151_666, projector_bytes: 1_042_000_000,
      vision_graph_bytes: visionGraphBytes(patchTokens(448, 14), 16) },
  },
  {
    // Projector: 867.6 MiB as Ollama's scheduler logged it (ollama/ollama#7441). phi2 has no grouped KV heads.
    name: 'moondream:1.8b', display_name: 'Moondream 2', family: 'phi2', parameter_count: 1.42e9, parameter_size: '1B',
    quantization: 'Q4_0', size_bytes: 1_738_451_197, purpose: 'specialized', capabilities: ['completion', 'vision'], context_length: 2048,
    description: 'A tiny vision model that answers simple questions about a photo (is it sharp? is there a person?) very fast.',
    recommended_use: 'Quick yes/no checks and short tags on machines without a dedicated GPU; not for nuanced ratings.',
    architecture: { architecture: 'phi2', block_count: 24, head_count: 32, head_count_kv: 32, key_length: 64, value_length: 64,
      embedding_length: 2048, vocab_size: 51_200, projector_bytes: 909_700_000,
      vision_graph_bytes: visionGraphBytes(patchTokens(378, 14), 16) },
  },
];

export const CATALOG_SEEDS: readonly CatalogSeed[] = [...TEXT_ONLY, ...VISION];

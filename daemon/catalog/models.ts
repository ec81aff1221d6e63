import type { ArchitectureFacts, CatalogEntry } from './types.js';
import { visionGraphBytes } from './vision.js';

/*
 * The curated library. Sizes, quantisations and parameter_size are what Ollama's /api/tags reports
 * for each library tag, checked against real /api/tags output (e.g. attogram/ollama-bash-lib demos/ollama_list.md, July 2025: gemma3:4b,
 * qwen2.5vl:7b, llava:7b, minicpm-v:8b, llama3.2:1b, llama3.2:3b); architecture numbers are the GGUF
 * metadata Ollama shows for the same blob. Figures we could not confirm byte-for-byte say so.
 *
 * min_ollama_version is the first release that runs the tag, from Ollama's history: the release
 * that added the architecture's runner. It is not the daemon's own minimum (JSON-schema output
 * needs 0.5), which the version check enforces separately. min_vram_gb is not here: it depends on
 * JUNMAI_NUM_CTX and on the installed file (models/views.ts).
 */

const llama = (blocks: number, heads: number, emb: number, keyLength = 128): ArchitectureFacts => ({
  architecture: 'llama', block_count: blocks, head_count: heads, head_count_kv: 8, key_length: keyLength,
  value_length: keyLength, embedding_length: emb, projector_bytes: 0, vocab_size: 128_256,
});

/** Gemma 3 shares one SigLIP encoder (896 px, 14 px patches, 1152 wide, 16 heads) across sizes. */
const gemma3 = (blocks: number, heads: number, kvHeads: number, headDim: number, emb: number, projector: number): ArchitectureFacts => ({
  architecture: 'gemma3', block_count: blocks, head_count: heads, head_count_kv: kvHeads, key_length: headDim,
  value_length: headDim, embedding_length: emb, vocab_size: 262_144, sliding_window: 1024, sliding_window_pattern: 6,
  projector_bytes: projector,
  vision_graph_bytes: visionGraphBytes({ kind: 'gemma3', image_size: 896, patch_size: 14, embedding_length: 1152, head_count: 16 }),
});

/** CLIP-style encoders (llava, MiniCPM-V, Moondream) run one crop at a time in llama.cpp. */
const clip = (imageSize: number, classEmbedding: boolean): number =>
  visionGraphBytes({ kind: 'clip', image_size: imageSize, patch_size: 14, embedding_length: 1152, head_count: 16, class_embedding: classEmbedding });

const TEXT_ONLY: CatalogEntry[] = [
  {
    name: 'llama3.2:1b', display_name: 'Llama 3.2 1B', family: 'llama', parameter_count: 1.24e9, parameter_size: '1.2B',
    quantization: 'Q8_0', size_bytes: 1_321_098_329, purpose: 'speed', capabilities: ['completion', 'tools'], context_length: 131_072,
    // Llama 3.2 uses 3.1's rope scaling; the library's release note asks for 0.3.12 (not found in Ollama's source history).
    min_ollama_version: '0.3.12',
    description: 'The smallest Llama. It cannot see photos, but turns keywords and ratings into short captions almost instantly.',
    recommended_use: 'Rewriting or tidying captions and keyword lists on laptops with little or no GPU memory.',
    architecture: llama(16, 32, 2048, 64),
  },
  {
    name: 'llama3.2:3b', display_name: 'Llama 3.2 3B', family: 'llama', parameter_count: 3.21e9, parameter_size: '3.2B',
    quantization: 'Q4_K_M', size_bytes: 2_019_393_189, purpose: 'speed', capabilities: ['completion', 'tools'], context_length: 131_072, min_ollama_version: '0.3.12',
    description: 'A quick text-only model that writes clearer captions and titles than the 1B while staying light.',
    recommended_use: 'Polishing captions and titles from a vision model\'s notes when GPU memory is tight.',
    architecture: llama(28, 24, 3072),
  },
  {
    name: 'llama3.1:8b', display_name: 'Llama 3.1 8B', family: 'llama', parameter_count: 8.03e9, parameter_size: '8.0B',
    quantization: 'Q4_K_M', size_bytes: 4_920_753_328, purpose: 'balanced', capabilities: ['completion', 'tools'], context_length: 131_072,
    // Llama 3.1's rope factors reached Ollama in 0.3.0 (commit bb46bbcf5).
    min_ollama_version: '0.3.0',
    description: 'A dependable text-only all-rounder for writing about photos from their metadata and a vision model\'s notes.',
    recommended_use: 'Captions, descriptions and keyword clean-up for whole shoots on an 8 GB GPU.',
    architecture: llama(32, 32, 4096),
  },
  {
    // NOT CONFIRMED: ollama.com lists mixtral:8x7b (Q4_0) as 26GB; the exact byte count was not verifiable, so this is that
    // figure rounded to the nearest 0.1 GB (a Mixtral 8x7B 4-bit GGUF is 26.44 GB, llama.cpp PR #4406).
    name: 'mixtral:8x7b', display_name: 'Mixtral 8x7B', family: 'llama', parameter_count: 46.7e9, parameter_size: '46.7B',
    quantization: 'Q4_0', size_bytes: 26_400_000_000, purpose: 'quality', capabilities: ['completion', 'tools'], context_length: 32_768,
    // Mixture-of-experts support: commit 31f0551da, first in 0.1.16.
    min_ollama_version: '0.1.16',
    description: 'A large text-only mixture-of-experts model that writes rich, well-structured descriptions but cannot see images.',
    recommended_use: 'Long-form write-ups of a portfolio or an edit, on workstations with 32 GB of GPU memory or more.',
    architecture: { architecture: 'llama', block_count: 32, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, projector_bytes: 0, vocab_size: 32_000 },
  },
  {
    // NOT CONFIRMED: 42,520,413,916 B is llama3.3:70b's download (digest a6eb4748fd29, in many real /api/tags
    // listings); no /api/tags output for llama3.1:70b was found. Both are Llama 3 70B in Q4_K_M with the same
    // tensor shapes, so the two files should differ by metadata only.
    name: 'llama3.1:70b', display_name: 'Llama 3.1 70B', family: 'llama', parameter_count: 70.6e9, parameter_size: '70.6B',
    quantization: 'Q4_K_M', size_bytes: 42_520_413_916, purpose: 'quality', capabilities: ['completion', 'tools'], context_length: 131_072,
    min_ollama_version: '0.3.0',
    description: 'The strongest text-only writer here, for the most careful captions and sequencing notes. It cannot see images.',
    recommended_use: 'Final captions and book or exhibition texts on multi-GPU machines with 48 GB of GPU memory or more.',
    architecture: llama(80, 64, 8192),
  },
];

const VISION: CatalogEntry[] = [
  {
    // Vision tensors live inside this GGUF (F16 SigLIP); 851 MB is the F16 mmproj of the same encoder for the 4B.
    name: 'gemma3:4b', display_name: 'Gemma 3 4B', family: 'gemma3', parameter_count: 4.3e9, parameter_size: '4.3B',
    quantization: 'Q4_K_M', size_bytes: 3_338_801_804, purpose: 'balanced', capabilities: ['completion', 'vision'], context_length: 131_072,
    // Gemma 3 runs only on Ollama's own engine, added in 0.6.0 (model/models/gemma3, commit 5f74d1fd4).
    min_ollama_version: '0.6.0',
    description: 'A small, capable vision model: it describes subject, light and composition well enough to rate and tag a shoot.',
    recommended_use: 'The default for culling, star ratings and keywords on 6–8 GB GPUs and recent Macs.',
    architecture: gemma3(34, 8, 4, 256, 2560, 851_000_000),
  },
  {
    // Projector: the 4B's 851 MB plus the wider 1152→3840 F16 input projection.
    name: 'gemma3:12b', display_name: 'Gemma 3 12B', family: 'gemma3', parameter_count: 12.2e9, parameter_size: '12.2B',
    quantization: 'Q4_K_M', size_bytes: 8_149_190_253, purpose: 'quality', capabilities: ['completion', 'vision'], context_length: 131_072, min_ollama_version: '0.6.0',
    description: 'Sees finer detail than the 4B: focus, expression and distracting backgrounds, with more precise keywords.',
    recommended_use: 'Careful ratings and descriptive captions for client work on 12–16 GB GPUs.',
    architecture: gemma3(48, 16, 8, 256, 3840, 854_000_000),
  },
  {
    // Projector: the 4B's 851 MB plus the wider 1152→5376 F16 input projection.
    name: 'gemma3:27b', display_name: 'Gemma 3 27B', family: 'gemma3', parameter_count: 27.4e9, parameter_size: '27.4B',
    quantization: 'Q4_K_M', size_bytes: 17_396_936_941, purpose: 'quality', capabilities: ['completion', 'vision'], context_length: 131_072, min_ollama_version: '0.6.0',
    description: 'The most perceptive vision model in the catalog: nuanced judgements of mood, timing and technical flaws.',
    recommended_use: 'Selecting portfolio picks and writing detailed captions on 24 GB GPUs.',
    architecture: gemma3(62, 32, 16, 128, 5376, 858_000_000),
  },
  {
    // Projector: download minus the qwen2.5:7b text GGUF (4,683,087,561 B), i.e. the F16 vision tower.
    // Vision graph: Ollama caps an image at 28·28·1280 pixels, 5,120 patches of 14 px.
    // Qwen2.5-VL runs on Ollama's engine from 0.7.0 (model/models/qwen25vl, commit 0aa8b371d).
    name: 'qwen2.5vl:7b', display_name: 'Qwen2.5-VL 7B', family: 'qwen25vl', parameter_count: 8.29e9, parameter_size: '8.3B',
    quantization: 'Q4_K_M', size_bytes: 5_969_245_856, purpose: 'balanced', capabilities: ['completion', 'vision'], context_length: 128_000,
    min_ollama_version: '0.7.0',
    description: 'Reads images at their own resolution, so it is strong on small details, signs and text within the frame.',
    recommended_use: 'Tagging event, street and documentary work where names, signs and text matter; 8–12 GB GPUs.',
    architecture: { architecture: 'qwen25vl', block_count: 28, head_count: 28, head_count_kv: 4, key_length: 128, value_length: 128,
      embedding_length: 3584, vocab_size: 152_064, projector_bytes: 1_286_000_000,
      vision_graph_bytes: visionGraphBytes({ kind: 'qwen25vl', patch_size: 14, embedding_length: 1280, head_count: 16 }) },
  },
  {
    // Projector: Ollama lists 895M F16 parameters, 1.9GB; its scheduler logged 1.8 GiB (ollama/ollama#8310, #9311).
    // /api/tags reports 9.8B: Ollama counts the text GGUF's parameters only, not the projector blob's.
    // mllama support (image processing, cross attention) arrived in 0.4.0 (commits c7cb0f060, 8c238e70a).
    name: 'llama3.2-vision:11b', display_name: 'Llama 3.2 Vision 11B', family: 'mllama', parameter_count: 9.78e9, parameter_size: '9.8B',
    quantization: 'Q4_K_M', size_bytes: 7_901_829_417, purpose: 'quality', capabilities: ['completion', 'vision'], context_length: 131_072,
    min_ollama_version: '0.4.0',
    description: 'Meta\'s vision model: thorough, literal descriptions of what is in the frame, good for searchable keywords.',
    recommended_use: 'Detailed keywording of large archives on 12–16 GB GPUs; it handles one photo per request.',
    architecture: { architecture: 'mllama', block_count: 40, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, vocab_size: 128_256, projector_bytes: 1_900_000_000, cross_attention_layers: 8,
      vision_graph_bytes: visionGraphBytes({
        kind: 'mllama', image_size: 560, patch_size: 14, max_num_tiles: 4, embedding_length: 1280, head_count: 16, class_embedding: true,
      }) },
  },
  {
    // llava:7b is LLaVA 1.6 on Mistral 7B; projector: 312M CLIP parameters in F16 (624 MB).
    // Its version is NOT CONFIRMED from Ollama's source: LLaVA 1.6 tags date from Ollama 0.1.23 (February 2024).
    name: 'llava:7b', display_name: 'LLaVA 1.6 7B', family: 'llama', parameter_count: 7.24e9, parameter_size: '7B',
    quantization: 'Q4_0', size_bytes: 4_733_363_377, purpose: 'speed', capabilities: ['completion', 'vision'], context_length: 32_768,
    min_ollama_version: '0.1.23',
    description: 'An older, widely used vision model: quick, broad descriptions, less reliable on fine detail than Gemma 3.',
    recommended_use: 'Fast first-pass tags on 6–8 GB GPUs, or comparing against results from earlier workflows.',
    architecture: { architecture: 'llama', block_count: 32, head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128,
      embedding_length: 4096, vocab_size: 32_000, projector_bytes: 624_000_000,
      vision_graph_bytes: clip(336, true) },
  },
  {
    // MiniCPM-V 2.6 (Qwen2 7B + SigLIP). Projector: download minus the qwen2:7b Q4_0 text GGUF (≈4.43 GB).
    // Its resampler came with the llama.cpp update of commit 5e2653f9f, first in Ollama 0.3.10.
    name: 'minicpm-v:8b', display_name: 'MiniCPM-V 2.6 8B', family: 'qwen2', parameter_count: 7.61e9, parameter_size: '7.6B',
    quantization: 'Q4_0', size_bytes: 5_473_838_466, purpose: 'balanced', capabilities: ['completion', 'vision'], context_length: 32_768,
    min_ollama_version: '0.3.10',
    description: 'Efficient and sharp-eyed, particularly good at reading text in images and describing busy scenes.',
    recommended_use: 'Keywording documents, products and scenes with lettering on 8 GB GPUs.',
    architecture: { architecture: 'qwen2', block_count: 28, head_count: 28, head_count_kv: 4, key_length: 128, value_length: 128,
      embedding_length: 3584, vocab_size: 151_666, projector_bytes: 1_042_000_000,
      vision_graph_bytes: clip(448, false) },
  },
  {
    // Projector: 867.6 MiB as Ollama's scheduler logged it (ollama/ollama#7441). phi2 has no grouped KV heads.
    // Its version is NOT CONFIRMED from Ollama's source: the library page asks for 0.1.33 (April 2024).
    name: 'moondream:1.8b', display_name: 'Moondream 2', family: 'phi2', parameter_count: 1.42e9, parameter_size: '1B',
    quantization: 'Q4_0', size_bytes: 1_738_451_197, purpose: 'specialized', capabilities: ['completion', 'vision'], context_length: 2048,
    min_ollama_version: '0.1.33',
    description: 'A tiny vision model that answers simple questions about a photo (is it sharp? is there a person?) very fast.',
    recommended_use: 'Quick yes/no checks and short tags on machines without a dedicated GPU; not for nuanced ratings.',
    architecture: { architecture: 'phi2', block_count: 24, head_count: 32, head_count_kv: 32, key_length: 64, value_length: 64,
      embedding_length: 2048, vocab_size: 51_200, projector_bytes: 909_700_000,
      vision_graph_bytes: clip(378, false) },
  },
];

export const CATALOG_SEEDS: readonly CatalogEntry[] = [...TEXT_ONLY, ...VISION];

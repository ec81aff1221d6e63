/**
 * Shapes shared by the catalog data (models.ts) and the memory estimator (estimate.ts, show.ts),
 * kept apart from both so neither imports the other.
 */
export type Purpose = 'speed' | 'balanced' | 'quality' | 'specialized';

export type Capability = 'completion' | 'vision' | 'tools' | 'thinking' | 'embedding';

/**
 * The few GGUF facts that decide how much memory a loaded model needs beyond its file. Names follow
 * the GGUF keys Ollama returns from /api/show (`<arch>.block_count`, `<arch>.attention.head_count_kv`…)
 * so a model outside the catalog can be described from its own metadata.
 */
export interface ArchitectureFacts {
  architecture: string;
  block_count: number;
  /** Mean over layers when the GGUF stores one value per layer, so block_count × this stays the true sum. */
  head_count_kv: number;
  key_length: number;
  value_length: number;
  embedding_length: number;
  /** Bytes of vision weights (separate mmproj blob or vision tensors inside the GGUF); 0 when not a vision model. */
  projector_bytes: number;
  /** Query heads: they size the attention-score scratch. Defaults to embedding_length / key_length. */
  head_count?: number;
  /** Vocabulary size: it sizes the logits scratch. Defaults to Llama 3's 128,256. */
  vocab_size?: number;
  /** Gemma 3 keeps only this many recent tokens in its local (sliding-window) layers. */
  sliding_window?: number;
  /** Every Nth layer is global (full context); the others use sliding_window. Gemma 3: 6. */
  sliding_window_pattern?: number;
  /** Worst-case scratch memory of the vision encoder for one image (see visionGraphBytes). */
  vision_graph_bytes?: number;
  /** mllama: layers that attend to the image; each caches the image's tokens in f32, not the context. */
  cross_attention_layers?: number;
}

export interface CatalogEntry {
  /** Canonical Ollama tag, lower case, e.g. 'gemma3:4b'. */
  name: string;
  display_name: string;
  family: string;
  parameter_count: number;
  /** As Ollama shows it in /api/tags `details.parameter_size`, e.g. '4.3B'. */
  parameter_size: string;
  quantization: string;
  /** Download size in bytes, as /api/tags reports it for the library tag. */
  size_bytes: number;
  purpose: Purpose;
  capabilities: Capability[];
  /** The model's maximum context (tokens). */
  context_length: number;
  description: string;
  recommended_use: string;
  architecture: ArchitectureFacts;
  /** The oldest Ollama that can run this tag (it refuses to pull or load it before). */
  min_ollama_version: string;
}

/**
 * What a vision encoder needs to run one image. `kind` picks the formula Ollama's estimator uses
 * for it (GGML.VisionGraphSize, fs/ggml/ggml.go in Ollama ≤ 0.12): mllama encodes four tiles of
 * one image together, Gemma 3 one square crop, Qwen2.5-VL up to `max_pixels` at its own
 * resolution. `clip` projectors (llava, MiniCPM-V, Moondream) run in llama.cpp's CLIP code, which
 * Ollama's estimator leaves out; their f32 attention scores over one crop are what clip allocates.
 */
export interface VisionEncoder {
  kind: 'mllama' | 'gemma3' | 'qwen25vl' | 'clip';
  patch_size: number;
  head_count: number;
  embedding_length: number;
  image_size?: number;
  num_channels?: number;
  max_num_tiles?: number;
  /** Qwen2.5-VL: the largest image in pixels; Ollama's default is 28·28·1280. */
  max_pixels?: number;
  /** Whether the encoder prepends a class token (mllama and CLIP do). */
  class_embedding?: boolean;
}

const QWEN_VL_DEFAULT_MAX_PIXELS = 28 * 28 * 1280;

/** Patch tokens of a square image: (image_size / patch_size)². */
function patchTokens(imageSize: number, patchSize: number): number {
  return Math.floor(imageSize / patchSize) ** 2;
}

/** Scratch bytes (f32) for one image through the encoder. */
export function visionGraphBytes(v: VisionEncoder): number {
  const channels = v.num_channels ?? 3;
  const image = v.image_size ?? 0;
  const patches = patchTokens(image, v.patch_size) + (v.class_embedding ? 1 : 0);
  switch (v.kind) {
    case 'mllama': {
      // Tokens are padded to a multiple of 8, and all tiles attend to each other at once.
      const tiles = v.max_num_tiles ?? 4;
      const padded = patches + ((8 - (patches % 8)) % 8);
      return 4 * (8 + image * image * channels * tiles + v.embedding_length * patches * tiles +
        9 * v.embedding_length * padded * tiles + (padded * tiles) ** 2 * v.head_count);
    }
    case 'gemma3':
      return 4 * (image * image * channels + v.embedding_length * v.patch_size + patches * patches * v.head_count);
    case 'qwen25vl': {
      const pixels = v.max_pixels ?? QWEN_VL_DEFAULT_MAX_PIXELS;
      const n = Math.floor(pixels / (v.patch_size * v.patch_size));
      // The image, its normalised copy, the patches, the attention scores and one embedding per patch.
      return 4 * (2 * pixels * channels + n * channels * v.patch_size ** 2 + n * n * v.head_count + v.embedding_length * n);
    }
    case 'clip':
      return 4 * patches * patches * v.head_count;
  }
}

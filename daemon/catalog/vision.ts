/**
 * Scratch memory for one image through a vision encoder. The f32 attention scores of one layer,
 * tokens² × heads, dominate it, which is also how Ollama's estimator sized mllama's and Gemma 3's
 * image graphs. `tokens` is what one attention layer sees at once: all four tiles of an mllama
 * image, but a single crop for llava or minicpm-v, whose crops are encoded one after another.
 */
export function visionGraphBytes(tokens: number, headCount: number): number {
  return 4 * tokens * tokens * headCount;
}

/** Patch tokens of a square image: (image_size / patch_size)². */
export function patchTokens(imageSize: number, patchSize: number): number {
  return Math.floor(imageSize / patchSize) ** 2;
}

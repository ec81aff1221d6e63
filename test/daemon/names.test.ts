import { describe, expect, it } from 'vitest';
import { AppError } from '../../daemon/errors.js';
import { canonicalModelName } from '../../daemon/ollama/names.js';

describe('model names', () => {
  it.each([
    ['gemma3', 'gemma3:latest'],
    ['gemma3:latest', 'gemma3:latest'],
    ['Gemma3:4B', 'gemma3:4b'],
    ['  llama3.2:3b  ', 'llama3.2:3b'],
    ['library/gemma3:4b', 'gemma3:4b'],
    ['registry.ollama.ai/library/gemma3:4b', 'gemma3:4b'],
    ['huihui_ai/qwen2.5-vl-abliterated:7b', 'huihui_ai/qwen2.5-vl-abliterated:7b'],
    ['hf.co/bartowski/gemma-3-4b-it-GGUF:Q4_K_M', 'hf.co/bartowski/gemma-3-4b-it-gguf:q4_k_m'],
  ])('%j is %j', (input, expected) => {
    expect(canonicalModelName(input)).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['../../etc/passwd', /\.\./],
    ['..', /\.\./],
    ['.hidden', /letters, digits/],
    ['-rf', /letters, digits/],
    ['gemma3:', /after ":"/],
    ['gemma3:4b\n', /control characters/],
    ['gem\u0000ma', /control characters/],
    ['a/b/c/d', /too many/],
    ['name with space', /letters, digits/],
    ['x'.repeat(129), /longer than 128/],
    ['ns.with.dot/model', /namespace/],
  ])('refuses %j', (input, message) => {
    let err: unknown;
    try {
      canonicalModelName(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_MODEL_NAME');
    expect((err as AppError).message).toMatch(message);
  });

  it('refuses non-strings', () => {
    expect(() => canonicalModelName(42)).toThrow(/must be text/);
  });
});

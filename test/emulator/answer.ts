import { sampleFromSchema } from './schema-sample.js';
import type { GenerateInput } from './types.js';
import { hash32, isRecord } from './util.js';

/** What the emulated model "says" when no responder decides: schema-valid JSON when asked for it. */
export function defaultAnswer(input: GenerateInput): string {
  const seed = hash32(`${input.model}\n${input.prompt}\n${JSON.stringify(input.messages)}\n${String(input.options.seed ?? '')}`);
  if (isRecord(input.format)) return JSON.stringify(sampleFromSchema(input.format, seed), null, 2);
  const lastUser = [...input.messages].reverse().find((m) => m.role === 'user')?.content ?? input.prompt;
  const topic = lastUser.replace(/\s+/g, ' ').trim().slice(0, 60);
  const sentence =
    input.images.length > 0
      ? `The image shows a well-lit scene with a clear subject in the foreground (${input.images.length} image${input.images.length > 1 ? 's' : ''} seen).`
      : `This is the Ollama emulator answering: ${topic || 'hello'}.`;
  if (input.format === 'json') return JSON.stringify({ response: sentence });
  return sentence;
}

/**
 * What a thinking model says to itself before answering: long enough (1,200 tokens) that it alone
 * fills a num_predict of 1,024, as a real qwen3-vl's reasoning over a photo easily does.
 */
export function thinkingText(): string {
  return 'Let me look at the photo carefully. '.repeat(150);
}

/** Token-sized pieces, so a stream has as many lines as a real model would send. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[^\s]{1,5}|\s+/g) ?? [];
}

/** Roughly four characters per token plus the chat template, and a fixed cost per image. */
export function promptTokens(input: GenerateInput): number {
  const text = input.prompt + (input.system ?? '') + input.messages.map((m) => m.content).join('');
  return Math.max(1, Math.ceil(text.length / 4)) + 12 + input.images.length * 256;
}

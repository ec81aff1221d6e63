import type { Settings } from './context.js';

/**
 * What changes with Ollama's version and the machine it runs on, as read from Ollama's history:
 * JSON-schema `format` from 0.5.0 (630e7dc6f; before it `format` was a string), `capabilities` in
 * /api/show from 0.6.4 (e172f095b), `think` and the thinking capability from 0.9.0 (5f57b0ef4),
 * cloud models from 0.12.0 (8b894933a), and from 0.15.5 (0334ffa62) a default context picked from
 * the GPU's memory (server/routes.go: 262,144 from 47 GiB, 32,768 from 23 GiB, else 4,096).
 */
export function atLeast(version: string, min: string): boolean {
  const parse = (v: string): number[] => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const a = parse(version);
  const b = parse(min);
  // A build from source says 0.0.0 and has everything.
  if (a.length < 3 || a.every((n) => n === 0)) return true;
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export const schemaFormat = (s: Settings): boolean => atLeast(s.version, '0.5.0');
export const showsCapabilities = (s: Settings): boolean => atLeast(s.version, '0.6.4');
export const thinks = (s: Settings): boolean => atLeast(s.version, '0.9.0');
export const listsCloudModels = (s: Settings): boolean => atLeast(s.version, '0.12.0');

const GIB = 1024 ** 3;

/** num_ctx when a request sends none. */
export function defaultNumCtx(s: Settings): number {
  // OLLAMA_CONTEXT_LENGTH's default: 2,048 until 0.6.7 (44b466eeb), 4,096 after.
  if (!atLeast(s.version, '0.6.7')) return 2048;
  if (!atLeast(s.version, '0.15.5')) return 4096;
  if (s.vramBytes >= 47 * GIB) return 262_144;
  if (s.vramBytes >= 23 * GIB) return 32_768;
  return 4096;
}

import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isLoopbackHost } from '../config.js';

/**
 * Where Ollama keeps models when OLLAMA_MODELS is not set: the per-user folder on macOS and
 * Windows and for a user-run `ollama serve`, and the service account's home for Linux's
 * installer. The first that exists wins; otherwise the per-user one is where it will be.
 */
export function defaultOllamaModelsDir(platform = process.platform, home = homedir()): string {
  const user = join(home, '.ollama', 'models');
  if (platform !== 'linux' || existsSync(user)) return user;
  for (const dir of ['/usr/share/ollama/.ollama/models', '/var/lib/ollama/.ollama/models']) {
    if (existsSync(dir)) return dir;
  }
  return user;
}

/** Free bytes on the disk holding `dir`, asking the nearest ancestor that exists. */
export async function freeBytesAt(dir: string): Promise<number> {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  const s = await statfs(probe);
  return Number(s.bavail) * Number(s.bsize);
}

export interface OllamaDisk {
  models_dir: string;
  free_bytes: number;
}

/**
 * The disk Ollama's models go to and its free space, or null when Ollama runs on another machine
 * (its disk is not ours to measure) or the disk cannot be read.
 */
export async function ollamaDisk(ollamaUrl: string, modelsDir: string | undefined): Promise<OllamaDisk | null> {
  if (!isLoopbackHost(new URL(ollamaUrl).hostname.replace(/^\[|\]$/g, ''))) return null;
  const dir = modelsDir ?? defaultOllamaModelsDir();
  try {
    return { models_dir: dir, free_bytes: await freeBytesAt(dir) };
  } catch {
    return null;
  }
}

import type { Eyes } from './eyes.js';
import type { Reply } from './reply.js';
import type { EmulatorState } from './state.js';
import type { GenerateInput } from './types.js';

/** The tunables a running emulator reads on every request, so configure() takes effect at once. */
export interface Settings {
  pullBytesPerSecond: number;
  /** How often a layer's progress line leaves; Ollama's ticker is 60 ms. */
  pullTickMs: number;
  /** How fast fetched blobs are hashed after the last byte, in silence. */
  verifyBytesPerSecond: number;
  /** Minimum Ollama version per model (name key); an older emulator gets the registry's 412. */
  pullRequires: Record<string, string>;
  generateLatencyMs: number;
  loadLatencyMs: number;
  unloadLatencyMs: number;
  version: string;
  /** The GPU memory Ollama found at start, which picks its default context since 0.15.5. */
  vramBytes: number;
  responder: ((input: GenerateInput) => string | undefined) | undefined;
  eyes: Record<string, Eyes> | undefined;
}

export interface RouteContext {
  state: EmulatorState;
  settings: Settings;
  reply: Reply;
  /** Aborts when the client goes away or the emulator stops. */
  signal: AbortSignal;
  /** Aborts only when the emulator stops: work Ollama finishes even after the client left. */
  serverSignal: AbortSignal;
  /** Set on a pull with a `stall` fault: true once bytes have stopped (progress lines go on). */
  pullStall?: () => boolean;
  body: unknown;
}

/** Gin's reply to an empty body on a JSON route. */
export async function requireBody(ctx: RouteContext): Promise<boolean> {
  if (ctx.body !== undefined) return true;
  await ctx.reply.json(400, { error: 'missing request body' });
  return false;
}

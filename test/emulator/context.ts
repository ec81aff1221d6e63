import type { Eyes } from './eyes.js';
import type { Reply } from './reply.js';
import type { EmulatorState } from './state.js';
import type { GenerateInput } from './types.js';

/** The tunables a running emulator reads on every request, so configure() takes effect at once. */
export interface Settings {
  pullBytesPerSecond: number;
  generateLatencyMs: number;
  loadLatencyMs: number;
  version: string;
  responder: ((input: GenerateInput) => string | undefined) | undefined;
  eyes: Record<string, Eyes> | undefined;
}

export interface RouteContext {
  state: EmulatorState;
  settings: Settings;
  reply: Reply;
  /** Aborts when the client goes away or the emulator stops. */
  signal: AbortSignal;
  body: unknown;
}

/** Gin's reply to an empty body on a JSON route. */
export async function requireBody(ctx: RouteContext): Promise<boolean> {
  if (ctx.body !== undefined) return true;
  await ctx.reply.json(400, { error: 'missing request body' });
  return false;
}

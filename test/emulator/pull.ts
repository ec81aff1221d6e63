import { type RouteContext, requireBody } from './context.js';
import { requestedName } from './names.js';
import type { EmulatedLayer } from './types.js';
import { isRecord, sleep } from './util.js';

/**
 * POST /api/pull as Ollama streams it: "pulling manifest", then per layer "pulling <12 hex>" lines
 * with a rising `completed`, then "verifying sha256 digest", "writing manifest", "success". No
 * bytes move; time passes at the configured speed. Bytes count as on disk once reported, so a
 * pull that is cancelled, cut or stalled resumes from the last `completed` the client saw.
 */

type Send = (progress: Record<string, unknown>) => Promise<boolean>;

/** Layers above this size report progress in STEPS slices; smaller ones arrive in one. */
const SMALL_LAYER = 64 * 1024;
const STEPS = 16;

export async function pull(ctx: RouteContext): Promise<void> {
  if (!(await requireBody(ctx))) return;
  const name = requestedName(ctx.body);
  if (name === '') return ctx.reply.json(400, { error: 'invalid model name' });
  const stream = !(isRecord(ctx.body) && ctx.body.stream === false);

  if (stream) ctx.reply.startStream();
  // Without streaming Ollama still does the work, then answers with the last status or the error.
  const send: Send = stream ? (p) => ctx.reply.line(p) : async () => !ctx.signal.aborted;
  const fail = async (error: string): Promise<void> => {
    if (!stream) return ctx.reply.json(500, { error });
    if (await ctx.reply.line({ error })) await ctx.reply.end();
  };

  if (!(await send({ status: 'pulling manifest' }))) return;
  const model = ctx.state.inRegistry(name);
  if (!model) return fail('pull model manifest: file does not exist');

  for (const layer of model.layers) {
    if (!(await download(ctx, layer, send))) return;
  }
  if (!(await send({ status: 'verifying sha256 digest' }))) return;
  if (!(await send({ status: 'writing manifest' }))) return;
  ctx.state.install(name);
  if (!(await send({ status: 'success' }))) return;
  if (stream) await ctx.reply.end();
  else await ctx.reply.json(200, { status: 'success' });
}

async function download(ctx: RouteContext, layer: EmulatedLayer, send: Send): Promise<boolean> {
  const { blobs } = ctx.state;
  const status = `pulling ${layer.digest.slice(7, 19)}`;
  // Go's omitempty drops `completed` while it is zero.
  const report = (completed: number): Record<string, unknown> => ({
    status,
    digest: layer.digest,
    total: layer.size,
    ...(completed > 0 ? { completed } : {}),
  });

  let have = Math.min(blobs.get(layer.digest) ?? 0, layer.size);
  if (!(await send(report(have)))) return false;
  const chunk = layer.size > SMALL_LAYER ? Math.ceil(layer.size / STEPS) : layer.size;
  while (have < layer.size) {
    const next = Math.min(layer.size, have + chunk);
    const ms = ((next - have) / Math.max(1, ctx.settings.pullBytesPerSecond)) * 1000;
    if (!(await sleep(ms, ctx.signal))) return false;
    if (!(await send(report(next)))) return false;
    have = next;
    // Two pulls of one blob share the file; neither may shrink what the other wrote.
    blobs.set(layer.digest, Math.max(blobs.get(layer.digest) ?? 0, next));
  }
  return true;
}

import { type RouteContext, requireBody } from './context.js';
import { atLeast } from './features.js';
import { isValidName, nameKey, requestedName } from './names.js';
import type { EmulatedLayer } from './types.js';
import { isRecord, sleep } from './util.js';

/**
 * POST /api/pull as Ollama streams it (server/images.go PullModel, server/download.go):
 * "pulling manifest"; then per layer either one line with completed = total at once (the blob is
 * already on disk) or a line every tick (60 ms) with whatever `completed` is, whether or not
 * bytes arrived, and no closing line when the layer is done; then "verifying sha256 digest" and
 * silence while every new blob is hashed; then "writing manifest", "removing unused layers" when an
 * older version's blobs are no longer used, and "success". No bytes move;
 * time passes at the configured speeds. Bytes count as on disk once reported, so a pull that is
 * cancelled, cut or stalled resumes from the last `completed` the client saw.
 */

type Send = (progress: Record<string, unknown>) => Promise<boolean>;

/** What the registry answers (HTTP 412) for a manifest newer than the asking Ollama; PullModel prefixes it. */
export const NEWER_OLLAMA_ERROR =
  'pull model manifest: 412: \n\nThe model you are attempting to pull requires a newer version of Ollama.\n\nPlease download the latest version at:\n\n\thttps://ollama.com/download\n';

export async function pull(ctx: RouteContext): Promise<void> {
  if (!(await requireBody(ctx))) return;
  const name = requestedName(ctx.body);
  // server/routes.go PullHandler: a name Ollama's grammar refuses is a 400 before anything is fetched.
  if (!isValidName(name)) return ctx.reply.json(400, { error: 'invalid model name' });
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
  // The registry decides per manifest, whichever tag names it.
  const needs = [model.name, ...(model.aliases ?? [])].map((n) => ctx.settings.pullRequires[nameKey(n)]).find((v) => v !== undefined);
  if (needs && !atLeast(ctx.settings.version, needs)) return fail(NEWER_OLLAMA_ERROR);

  let toVerify = 0;
  for (const layer of model.layers) {
    const fetched = await download(ctx, layer, send);
    if (fetched === undefined) return;
    if (fetched) toVerify += layer.size;
  }
  if (!(await send({ status: 'verifying sha256 digest' }))) return;
  // Ollama hashes every blob it fetched and writes nothing meanwhile. A client that leaves now does
  // not stop it: the stream hands over "writing manifest" and the manifest is written regardless.
  const hashing = (toVerify / Math.max(1, ctx.settings.verifyBytesPerSecond)) * 1000;
  if (!(await sleep(hashing, ctx.serverSignal))) return;
  await send({ status: 'writing manifest' });
  const previous = ctx.state.findInstalled(name);
  ctx.state.install(name);
  const stale = ctx.state.unusedAfterPull(previous);
  if (stale.length > 0) {
    // Ollama announces the removal before it removes (server/images.go PullModel). A streamed pull
    // whose client has left blocks on that line for good (routes.go streamResponse stops reading),
    // so the old blobs stay; an unstreamed one reads every line (waitForStream) and prunes.
    if (!(await send({ status: 'removing unused layers' })) && stream) return;
    ctx.state.removeBlobs(stale);
  }
  if (!(await send({ status: 'success' }))) return;
  if (stream) await ctx.reply.end();
  else await ctx.reply.json(200, { status: 'success' });
}

/** True when the blob had to be fetched (so it is verified), false when it was on disk, undefined when the client left. */
async function download(ctx: RouteContext, layer: EmulatedLayer, send: Send): Promise<boolean | undefined> {
  const { settings } = ctx;
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
  if (have === layer.size) return (await send(report(have))) ? false : undefined;
  // Bytes flow from the start; a line leaves on every tick with whatever arrived, and once the
  // blob is complete Wait returns without a last line. A stall stops the bytes, not the ticks.
  let last = Date.now();
  for (;;) {
    const left = ((layer.size - have) / Math.max(1, settings.pullBytesPerSecond)) * 1000;
    const stalled = ctx.pullStall?.();
    if (!stalled && left <= settings.pullTickMs) {
      if (!(await sleep(left, ctx.signal))) return undefined;
      blobs.set(layer.digest, layer.size);
      return true;
    }
    if (!(await sleep(settings.pullTickMs, ctx.signal))) return undefined;
    const now = Date.now();
    if (!stalled) have = Math.min(layer.size, have + Math.round(((now - last) / 1000) * settings.pullBytesPerSecond));
    last = now;
    // Two pulls of one blob share the file; neither may shrink what the other wrote.
    blobs.set(layer.digest, Math.max(blobs.get(layer.digest) ?? 0, have));
    if (!(await send(report(have)))) return undefined;
  }
}

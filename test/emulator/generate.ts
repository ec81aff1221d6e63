import { defaultAnswer, promptTokens, thinkingText, tokenize } from './answer.js';
import { type RouteContext, requireBody } from './context.js';
import { defaultNumCtx, schemaFormat, thinks } from './features.js';
import { eyesAnswer } from './eyes.js';
import { parseKeepAlive } from './keep-alive.js';
import { modelSize } from './library.js';
import { fullName, nameKey } from './names.js';
import type { InstalledModel } from './state.js';
import type { GenerateInput } from './types.js';
import { isRecord, MS_NS, sleep } from './util.js';

/**
 * POST /api/generate and /api/chat. Checks run in Ollama's order: model lookup, unload request,
 * thinking/tools capability, load (a load-only answer for an empty prompt), then what the runner
 * rejects (images without vision, a bad format). A model with the `thinking` capability thinks
 * first unless `think: false` (from 0.9.0), and its thinking tokens count against num_predict: an
 * answer cut there ends with done_reason "length", as Ollama's does. Reported durations are at least the real time
 * spent, and never less than plausible figures, so tokens-per-second maths never divides by zero.
 */

type Route = 'generate' | 'chat';

export const generate = (ctx: RouteContext): Promise<void> => run(ctx, 'generate');
export const chat = (ctx: RouteContext): Promise<void> => run(ctx, 'chat');

async function run(ctx: RouteContext, route: Route): Promise<void> {
  if (!(await requireBody(ctx))) return;
  const startedAt = performance.now();
  const body = isRecord(ctx.body) ? ctx.body : {};
  const { reply, state, settings } = ctx;
  const requested = typeof body.model === 'string' ? body.model : '';

  if (requested === '') {
    return route === 'generate' ? reply.json(404, { error: `model '' not found` }) : reply.json(400, { error: 'model is required' });
  }
  const keepAlive = parseKeepAlive(body.keep_alive);
  if (!keepAlive.ok) return reply.json(400, { error: keepAlive.error });
  const formatKind = body.format === null || body.format === undefined || typeof body.format === 'string' ? undefined : jsonKind(body.format);
  if (!schemaFormat(settings) && formatKind) {
    // Before 0.5.0 `format` was a Go string: a JSON schema (or any other non-string) fails to bind.
    const request = route === 'chat' ? 'ChatRequest' : 'GenerateRequest';
    return reply.json(400, { error: `json: cannot unmarshal ${formatKind} into Go struct field ${request}.format of type string` });
  }
  const installed = state.findInstalled(requested);
  if (!installed) return reply.json(404, { error: `model '${requested}' not found` });

  const input = readInput(body, route, requested);
  const empty = route === 'generate' ? input.prompt === '' : input.messages.length === 0;
  const created_at = (): string => new Date().toISOString();
  const shape = (text: string): Record<string, unknown> =>
    route === 'generate' ? { response: text } : { message: { role: 'assistant', content: text } };

  if (empty && keepAlive.ms === 0) {
    state.unload(installed.name, settings.unloadLatencyMs);
    return reply.json(200, { model: requested, created_at: created_at(), ...shape(''), done: true, done_reason: 'unload' });
  }
  const caps = installed.model.capabilities;
  const think = thinks(settings) ? body.think : undefined;
  if ((think === true || typeof think === 'string') && !caps.includes('thinking')) {
    return reply.json(400, { error: `${JSON.stringify(requested)} does not support thinking` });
  }
  if (route === 'chat' && Array.isArray(body.tools) && body.tools.length > 0 && !caps.includes('tools')) {
    return reply.json(400, { error: `${fullName(nameKey(installed.name))} does not support tools` });
  }

  // Ollama turns thinking on when the request leaves `think` out (server/routes.go, ChatHandler).
  const thinking = thinks(settings) && caps.includes('thinking') && think !== false;
  const loadNs = await load(ctx, installed, input.options);
  if (loadNs === undefined) return;
  const finish = (): void => {
    // A cloud model runs on ollama.com: no runner here, nothing in /api/ps.
    if (installed.model.remote) state.unload(installed.name);
    else if (keepAlive.ms === 0) state.unload(installed.name, settings.unloadLatencyMs);
    else state.load(installed, state.findLoaded(installed.name)?.contextLength ?? defaultNumCtx(settings), Date.now() + keepAlive.ms);
  };

  if (empty) {
    finish();
    return reply.json(200, { model: requested, created_at: created_at(), ...shape(''), done: true, done_reason: 'load' });
  }
  const rejection = runnerRejection(installed, input);
  if (rejection) {
    finish();
    return reply.json(rejection.status, { error: rejection.error });
  }

  const text = settings.responder?.(input) ?? eyesAnswer(input, settings.eyes) ?? defaultAnswer(input);
  const numPredict = typeof input.options.num_predict === 'number' && input.options.num_predict > 0 ? Math.floor(input.options.num_predict) : Infinity;
  const all: Array<{ content?: string; thinking?: string }> = [
    ...(thinking ? tokenize(thinkingText()).map((t) => ({ thinking: t })) : []),
    ...tokenize(text).map((t) => ({ content: t })),
  ];
  const pieces = all.slice(0, Math.min(all.length, numPredict));
  const doneReason = pieces.length < all.length ? 'length' : 'stop';
  const said = pieces.map((p) => p.content ?? '').join('');
  const thought = pieces.map((p) => p.thinking ?? '').join('');
  const shapeOf = (p: { content?: string; thinking?: string }): Record<string, unknown> => {
    if (p.thinking === undefined) return shape(p.content ?? '');
    return route === 'generate' ? { response: p.content ?? '', thinking: p.thinking } : { message: { role: 'assistant', content: p.content ?? '', thinking: p.thinking } };
  };
  const promptCount = promptTokens(input);
  const latency = settings.generateLatencyMs;
  const promptStart = performance.now();
  if (!(await sleep(latency * 0.2, ctx.signal))) return finish();
  const evalStart = performance.now();
  const stream = body.stream !== false;
  if (stream) reply.startStream();
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k] as (typeof pieces)[number];
    // Each piece is due at its share of the time since evaluation began, not a pause after the last one: a timer
    // rounds to whole milliseconds, and over a hundred pieces that rounding added up to milliseconds either way.
    const due = evalStart + (latency * 0.8 * (k + 1)) / pieces.length;
    if (!(await sleep(due - performance.now(), ctx.signal))) return finish();
    if (stream && !(await reply.line({ model: requested, created_at: created_at(), ...shapeOf(piece), done: false }))) return finish();
  }
  const end = performance.now();

  const promptNs = Math.max((evalStart - promptStart) * MS_NS, promptCount * 0.4 * MS_NS + input.images.length * 120 * MS_NS);
  const evalNs = Math.max((end - evalStart) * MS_NS, pieces.length * 12 * MS_NS);
  const final = {
    model: requested,
    created_at: created_at(),
    ...(stream ? shape('') : shapeOf({ content: said, ...(thought ? { thinking: thought } : {}) })),
    done: true,
    done_reason: doneReason,
    ...(route === 'generate' && body.raw !== true ? { context: Array.from({ length: Math.min(promptCount + pieces.length, 2048) }, (_, i) => 1000 + ((i * 7919) % 30000)) } : {}),
    total_duration: Math.round(Math.max((performance.now() - startedAt) * MS_NS, loadNs + promptNs + evalNs)),
    load_duration: Math.round(loadNs),
    prompt_eval_count: promptCount,
    prompt_eval_duration: Math.round(promptNs),
    eval_count: pieces.length,
    eval_duration: Math.round(evalNs),
  };
  finish();
  if (!stream) return reply.json(200, final);
  if (await reply.line(final)) await reply.end();
}

function readInput(body: Record<string, unknown>, route: Route, model: string): GenerateInput {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const messages =
    route === 'chat' && Array.isArray(body.messages)
      ? body.messages.filter(isRecord).map((m) => ({
          role: typeof m.role === 'string' ? m.role : 'user',
          content: typeof m.content === 'string' ? m.content : '',
          ...(Array.isArray(m.images) ? { images: strings(m.images) } : {}),
        }))
      : [];
  return {
    route,
    model,
    prompt: route === 'generate' && typeof body.prompt === 'string' ? body.prompt : '',
    ...(typeof body.system === 'string' ? { system: body.system } : {}),
    messages,
    images: route === 'generate' ? strings(body.images) : messages.flatMap((m) => m.images ?? []),
    format: body.format ?? undefined,
    options: isRecord(body.options) ? body.options : {},
  };
}

/** Marks the model loaded; returns the load_duration to report, or undefined if the client left. */
async function load(ctx: RouteContext, installed: InstalledModel, options: Record<string, unknown>): Promise<number | undefined> {
  const asked = typeof options.num_ctx === 'number' && options.num_ctx > 0 ? Math.floor(options.num_ctx) : defaultNumCtx(ctx.settings);
  // Ollama caps the context at what the model was trained for (llm/server.go).
  const info = installed.model.modelInfo;
  const trained = Number(info[`${String(info['general.architecture'])}.context_length`] ?? 0);
  const numCtx = trained > 0 ? Math.min(asked, trained) : asked;
  const runner = ctx.state.findLoaded(installed.name);
  // A different num_ctx makes Ollama reload the runner, which costs a full load.
  const cold = !runner || runner.contextLength !== numCtx;
  const started = performance.now();
  if (cold && !(await sleep(ctx.settings.loadLatencyMs, ctx.signal))) return undefined;
  ctx.state.load(installed, numCtx, Infinity);
  const realNs = (performance.now() - started) * MS_NS;
  const simulatedMs = cold ? 400 + modelSize(installed.model) / 2.5e6 : 12 + Math.random() * 8;
  return Math.max(realNs, simulatedMs * MS_NS);
}

/** What Ollama's runner refuses once the model is up. */
function runnerRejection(installed: InstalledModel, input: GenerateInput): { status: number; error: string } | undefined {
  const model = installed.model;
  if (input.images.length > 0 && !model.capabilities.includes('vision')) {
    return { status: 500, error: 'Failed to create new sequence: failed to process inputs: this model is missing data required for image input' };
  }
  if (input.images.length > 1 && model.details.family === 'mllama') {
    return { status: 400, error: 'this model only supports one image while more than one image requested' };
  }
  const format = input.format;
  if (format !== undefined && format !== '' && format !== 'json' && !isRecord(format)) {
    return { status: 500, error: `invalid format: ${JSON.stringify(JSON.stringify(format))}; expected "json" or a valid JSON Schema` };
  }
  return undefined;
}

/** encoding/json's name for a JSON value's kind in an UnmarshalTypeError. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'object';
}

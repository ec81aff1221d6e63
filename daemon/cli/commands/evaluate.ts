import { resolve } from 'node:path';
import { ErrorBody } from '../../schemas/api.js';
import { EvaluateResponse, MAX_KEYWORDS } from '../../schemas/evaluate.js';
import { Client } from '../client.js';
import { flag, stringOpt, type Command, type Context } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { ms, type Output } from '../output.js';

/** A model's first load can take minutes on a slow disk; the daemon's own idle timeout ends a hung one. */
const EVALUATE_TIMEOUT_MS = 15 * 60_000;

/** Refusals about one photo; any other (no model, Ollama down, a blind model) would refuse every photo after it too. */
const PER_PHOTO = new Set(['IMAGE_NOT_FOUND', 'IMAGE_UNREADABLE', 'UNSUPPORTED_IMAGE', 'IMAGE_TOO_LARGE', 'MODEL_OUTPUT_INVALID', 'INVALID_REQUEST']);

type Outcome = { path: string; ok: true; body: EvaluateResponse; raw: unknown } | { path: string; ok: false; error: CliError };

export const evaluate: Command = {
  name: 'evaluate',
  synopsis: 'PHOTO... [--model NAME] [--keywords N] [--language L] [--no-cache]',
  summary: 'try the model on photos without Lightroom: rating, flag, keywords, caption and timings',
  options: { model: { type: 'string' }, keywords: { type: 'string' }, language: { type: 'string' }, 'no-cache': { type: 'boolean' } },
  optionHelp: [
    '--model NAME      evaluate with this model (default: the current one)',
    `--keywords N      at most N keywords (1-${MAX_KEYWORDS})`,
    '--language L      language of the caption and keywords, e.g. English, Deutsch',
    '--no-cache        ask the model again even for a photo it has already seen',
  ],
  arity: [1, Infinity],
  async run(ctx) {
    const keywords = stringOpt(ctx, 'keywords');
    if (keywords !== undefined && !(/^\d+$/.test(keywords) && Number(keywords) >= 1 && Number(keywords) <= MAX_KEYWORDS)) {
      throw new UsageError(`--keywords must be a whole number from 1 to ${MAX_KEYWORDS} (got "${keywords}").`);
    }
    const model = stringOpt(ctx, 'model');
    const language = stringOpt(ctx, 'language');
    const options = {
      ...(keywords === undefined ? {} : { max_keywords: Number(keywords) }),
      ...(language === undefined ? {} : { language }),
      ...(flag(ctx, 'no-cache') ? { cache: false } : {}),
    };
    const client = new Client({ url: ctx.client.url, token: ctx.client.token, timeoutMs: EVALUATE_TIMEOUT_MS });
    // resolve('') is the working folder: an empty argument (an unset shell variable) names no photo.
    if (ctx.args.some((p) => p.trim() === '')) throw new UsageError('PHOTO must not be empty: name a photo file.');
    // The daemon reads the file itself and takes only absolute paths.
    const paths = ctx.args.map((p) => resolve(p));
    const { createPhotoProgress } = await import('../progress.js');
    const progress = createPhotoProgress(ctx.out, paths.length);
    const outcomes: Outcome[] = [];
    try {
      for (const path of paths) {
        progress.start(path);
        const outcome = await evaluateOne(client, path, { ...(model ? { model } : {}), ...(Object.keys(options).length ? { options } : {}) });
        outcomes.push(outcome);
        // A refusal that would meet every photo is said once, at the end, instead of under this one.
        if (!outcome.ok && !PER_PHOTO.has(outcome.error.code)) break;
        if (outcome.ok) progress.result(resultLines(ctx.out, outcome.path, outcome.body).join('\n'));
        else progress.refusal(`${ctx.out.bold(outcome.path)}\n  ${ctx.out.red(outcome.error.message)} (${outcome.error.code})`);
      }
    } finally {
      progress.stop();
    }
    return report(ctx, paths, outcomes);
  },
};

async function evaluateOne(client: Client, path: string, extra: Record<string, unknown>): Promise<Outcome> {
  try {
    const { data, raw } = await client.post('/api/evaluate', EvaluateResponse, { image_path: path, ...extra });
    return { path, ok: true, body: data, raw };
  } catch (err) {
    // Only the daemon's refusals are about the photo; a daemon that stopped answering ends the run.
    if (err instanceof CliError && ErrorBody.safeParse(err.body).success) return { path, ok: false, error: err };
    throw err;
  }
}

function report(ctx: Context, paths: string[], outcomes: Outcome[]): number {
  const failed = outcomes.filter((o) => !o.ok);
  const skipped = paths.length - outcomes.length;
  if (ctx.out.json) {
    const bodyOf = (o: Outcome) => (o.ok ? o.raw : o.error.body);
    // One photo: the API's answer as-is, like every other command. Several: one document listing them.
    if (paths.length === 1 && outcomes[0]) ctx.out.document(bodyOf(outcomes[0]));
    else ctx.out.document({ success: failed.length === 0 && skipped === 0, count: paths.length, failed: failed.length, skipped, results: outcomes.map((o) => ({ image_path: o.path, ...(bodyOf(o) as object) })) });
  }
  const first = failed[0];
  if (first && !first.ok && !PER_PHOTO.has(first.error.code)) {
    ctx.out.note(ctx.out.red(`junmai: ${first.error.message}`) + ` (${first.error.code})` + (skipped ? ` ${skipped} photo(s) not tried.` : ''));
  } else if (paths.length > 1 && !ctx.out.json) {
    ctx.out.line(ctx.out.dim(`${outcomes.length - failed.length} of ${paths.length} photo(s) evaluated${failed.length ? `, ${failed.length} refused` : ''}.`));
  }
  return failed.length || skipped ? EXIT.DAEMON_ERROR : EXIT.OK;
}

function resultLines(out: Output, path: string, b: EvaluateResponse): string[] {
  const r = b.result;
  const t = b.timings;
  const lines = [out.bold(path)];
  const field = (k: string, v: string) => lines.push(`  ${out.dim(k.padEnd(9))} ${v}`);
  if (r.rating !== undefined) field('rating', `${'★'.repeat(r.rating)}${'☆'.repeat(5 - r.rating)} (${r.rating})`);
  if (r.flag !== undefined) field('flag', r.flag);
  if (r.title !== undefined) field('title', r.title);
  if (r.caption !== undefined) field('caption', r.caption);
  if (r.keywords !== undefined) field('keywords', r.keywords.join(', ') || '-');
  for (const [i, reason] of (r.reasons ?? []).entries()) field(i === 0 ? 'reasons' : '', `- ${reason}`);
  const parts = b.cache_hit
    ? ['from cache']
    : [
        t.load_ms !== null && t.load_ms >= 1 ? `load ${ms(t.load_ms)}` : null,
        t.prompt_eval_ms !== null ? `reading ${ms(t.prompt_eval_ms)}` : null,
        t.eval_ms !== null ? `answering ${ms(t.eval_ms)}${t.eval_tokens !== null ? ` (${t.eval_tokens} tokens)` : ''}` : null,
        t.queue_ms >= 1 ? `waiting ${ms(t.queue_ms)}` : null,
      ].filter((p): p is string => p !== null);
  field('time', `${ms(t.daemon_ms)} with ${b.model}${parts.length ? `: ${parts.join(', ')}` : ''}`);
  return lines;
}

import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CompareResultsResponse, CompareRunResponse, MAX_COMPARE_PHOTOS, type CompareModelResult, type ComparePhoto, type CompareRunView } from '../../schemas/compare.js';
import { stringOpt, type Command, type Context } from '../command.js';
import { CliError, EXIT, FileError, UsageError } from '../errors.js';
import type { EventStream } from '../events.js';
import { Follow, openEvents, settleOnce, startFollowed } from '../follow.js';
import { DASH, percent, type Output } from '../output.js';
import type { ProgressDisplay } from '../progress.js';
import type { ServerEvent } from '../../schemas/events.js';
import type { Judgement } from '../xmp.js';

/** Files whose XMP is read at once: a folder of 500 photos must not open 500 files together. */
const READ_AT_ONCE = 16;
const ENDED: ReadonlySet<CompareRunView['status']> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const JPEG = /\.jpe?g$/i;

interface Followed {
  run: CompareRunView;
  /** Ended by our own Ctrl-C. */
  byUser: boolean;
}

export const compare: Command = {
  name: 'compare',
  synopsis: 'FOLDER|PHOTO... [--models A,B]',
  summary: 'which model agrees with you: runs the models on photos you rated in Lightroom (stars, flags, keywords from their XMP) and ranks them',
  options: { models: { type: 'string' } },
  optionHelp: [
    '--models A,B      compare these models (default: every installed local vision model)',
  ],
  arity: [1, Infinity],
  async run(ctx) {
    const models = modelsOption(stringOpt(ctx, 'models'));
    const paths = await photoPaths(ctx.args);
    const { readJudgement } = await import('../xmp.js');
    const judgements: Judgement[] = [];
    for (let i = 0; i < paths.length; i += READ_AT_ONCE) judgements.push(...(await Promise.all(paths.slice(i, i + READ_AT_ONCE).map(readJudgement))));
    const photos: ComparePhoto[] = paths.map((path, i) => ({ photo_id: path, image_path: path, ...judgements[i] }));
    describeJudgements(ctx.out, photos);
    return runAndFollow(ctx, { ...(models ? { models } : {}), photos });
  },
};

function modelsOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const models = value.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (models.length === 0) throw new UsageError('--models needs at least one model name, e.g. --models gemma3:4b,qwen2.5vl:7b.');
  return models;
}

/** The photos named: a folder gives its JPEGs (not those in folders below it), a file gives itself. Absolute, once each, in order. */
async function photoPaths(args: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const arg of args) {
    // resolve('') is the working folder: an empty argument (an unset shell variable) names no photo.
    if (arg.trim() === '') throw new UsageError('An empty argument names no folder or photo.');
    const path = resolve(arg);
    let isFolder: boolean;
    try {
      isFolder = (await stat(path)).isDirectory();
    } catch (err) {
      throw new FileError('read', path, err);
    }
    if (!isFolder) {
      paths.push(path);
      continue;
    }
    let names: string[];
    try {
      names = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && JPEG.test(e.name)).map((e) => e.name);
    } catch (err) {
      throw new FileError('read', path, err);
    }
    if (names.length === 0) {
      throw new CliError(`There are no JPEG photos in ${path}. Export the photos you rated from Lightroom as JPEG (with their metadata) into it, or name the photos.`, EXIT.USAGE, 'NO_PHOTOS');
    }
    paths.push(...names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((n) => join(path, n)));
  }
  const unique = [...new Set(paths)];
  if (unique.length > MAX_COMPARE_PHOTOS) {
    throw new UsageError(`${unique.length} photos are more than one comparison takes (${MAX_COMPARE_PHOTOS}). Compare a selection of them.`);
  }
  return unique;
}

/** Photos without any judgement still measure speed; the photographer should know how many can measure agreement. */
function describeJudgements(out: Output, photos: ComparePhoto[]): void {
  const count = (has: (p: ComparePhoto) => boolean) => photos.filter(has).length;
  const stars = count((p) => (p.rating ?? 0) > 0);
  const flags = count((p) => p.pick === 'pick' || p.pick === 'reject');
  const keywords = count((p) => (p.keywords?.length ?? 0) > 0);
  const judged = count((p) => (p.rating ?? 0) > 0 || p.pick !== undefined || (p.keywords?.length ?? 0) > 0);
  out.line(`${photos.length} photo(s): ${judged} with your judgement (${stars} with stars, ${flags} picked or rejected, ${keywords} with keywords).`);
  if (judged === 0) {
    out.note(out.dim('None of these photos has stars, a flag or keywords in its XMP, so only speed can be compared. In Lightroom, Metadata > Save Metadata to File writes stars and keywords.'));
  }
}

/** Subscribes to the daemon's events, starts the run and follows it to its end, then prints the results. */
async function runAndFollow(ctx: Context, body: { models?: string[]; photos: ComparePhoto[] }): Promise<number> {
  const { client, out } = ctx;
  // Loaded here, not at the top: cli-progress would add to the start of every other command.
  const [stream, { createRunProgress }] = await Promise.all([openEvents(client), import('../progress.js')]);
  const run = await startFollowed(stream, async () => (await client.post('/api/compare', CompareRunResponse, body)).data.run);
  out.line(`Comparing ${run.models.join(', ')} on ${run.photo_count} photo(s), one model at a time. Ctrl-C cancels. ${out.dim(`(run ${run.id})`)}`);
  if (!stream) out.note(out.dim('Live updates are unavailable; following the comparison by polling.'));
  const followed = await follow(ctx, run, stream, createRunProgress(out));
  return finish(ctx, followed);
}

type CompareEvent = Extract<ServerEvent, { type: `compare.${string}` }>;
const isCompareEvent = (e: ServerEvent): e is CompareEvent => e.type.startsWith('compare.');

/** Feeds the display from events (or polling) until the run ends; Ctrl-C cancels it. */
function follow(ctx: Context, initial: CompareRunView, stream: EventStream | undefined, display: ProgressDisplay<CompareRunView>): Promise<Followed> {
  const { client } = ctx;
  const path = `/api/compare/${encodeURIComponent(initial.id)}`;
  let cancelling = false;

  return new Promise<Followed>((resolvePromise, reject) => {
    const follower = new Follow<CompareRunView>({
      client, stream, initial,
      fromEvent: (e) => (isCompareEvent(e) && e.data.run.id === initial.id ? e.data.run : undefined),
      read: async () => (await client.get(path, CompareResultsResponse)).data.run,
      isStale: (run, last) => run.updated_at < last.updated_at || (ENDED.has(last.status) && !ENDED.has(run.status)),
      onItem: (run) => {
        display.update(run);
        if (ENDED.has(run.status)) done(run);
      },
      onError: (err) => fail(err),
      lostContact: () => new CliError(
        `Lost contact with the Junmai daemon at ${client.url} during the comparison. When it is running again, ` +
          `GET /api/compare/${initial.id} shows what became of it; an interrupted one can be resumed.`,
        EXIT.NOT_RUNNING, 'DAEMON_NOT_RUNNING',
      ),
    });
    const end = settleOnce<Followed>(resolvePromise, reject, () => {
      follower.stop();
      process.off('SIGINT', onSigint);
      display.stop();
    });
    const done = (run: CompareRunView) => end.done({ run, byUser: cancelling && run.status === 'cancelled' });
    const fail = end.fail;
    // No question, unlike a download: a comparison left running would hold Ollama for nobody to read its results.
    const onSigint = () => {
      if (cancelling) return;
      cancelling = true;
      void client.delete(path, CompareRunResponse).then((a) => follower.seen(a.data.run), fail);
    };
    process.on('SIGINT', onSigint);
    follower.start();
  });
}

async function finish(ctx: Context, { run, byUser }: Followed): Promise<number> {
  const { out, client } = ctx;
  const { data, raw } = await client.get(`/api/compare/${encodeURIComponent(run.id)}`, CompareResultsResponse);
  if (out.json) out.document(raw);
  else printResults(out, data);
  switch (data.run.status) {
    case 'completed':
      return EXIT.OK;
    case 'cancelled':
      if (byUser) {
        out.note(`Cancelled the comparison; the results above are from the photos finished before it stopped.`);
        return EXIT.INTERRUPTED;
      }
      out.note(out.red('The comparison was cancelled.'));
      return EXIT.COMPARISON_FAILED;
    default:
      out.note(out.red(`junmai: the comparison ${data.run.status === 'failed' ? 'failed' : 'was interrupted'}: ${data.run.error?.message ?? 'no reason given'}`) +
        (data.run.error ? ` (${data.run.error.code})` : ''));
      return EXIT.COMPARISON_FAILED;
  }
}

const fixed = (v: number | null, digits = 2) => (v === null ? DASH : v.toFixed(digits));

function rhoCell(m: CompareModelResult): string {
  const r = m.rating;
  if (r.spearman === null) return DASH;
  return r.interval_90 ? `${fixed(r.spearman)} (${fixed(r.interval_90.low)} to ${fixed(r.interval_90.high)})` : fixed(r.spearman);
}

function printResults(out: Output, r: CompareResultsResponse): void {
  out.line();
  out.table(
    [
      { header: 'RANK', align: 'right' }, { header: 'MODEL' }, { header: 'ρ STARS (90%)' }, { header: 'κ FLAGS', align: 'right' },
      { header: 'KEYWORDS', align: 'right' }, { header: 'S/PHOTO', align: 'right' }, { header: 'PHOTOS/MIN', align: 'right' }, { header: 'LOADS', align: 'right' },
    ],
    r.results.map((m) => [
      m.rank === null ? DASH : String(m.rank), m.model, rhoCell(m), fixed(m.flags.kappa), percent(m.keywords.recall),
      fixed(m.speed.warm_p50_seconds), fixed(m.speed.photos_per_minute, 1), String(m.speed.loads),
    ]),
  );
  for (const m of r.results) if (m.error) out.line(out.dim(`${m.model}: ${m.error.message}`));
  out.line();
  out.line(r.summary);
  if (r.sample_note) out.line(out.dim(r.sample_note));
}

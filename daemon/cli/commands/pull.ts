import { createInterface } from 'node:readline';
import { CurrentResponse, DownloadResponse, JobResponse, ListResponse, type JobView } from '../../schemas/api.js';
import { flag, type Command, type Context } from '../command.js';
import { CliError, EXIT } from '../errors.js';
import type { EventStream } from '../events.js';
import { Follow, openEvents, settleOnce, startFollowed } from '../follow.js';
import { bytes, duration } from '../output.js';
import type { ProgressDisplay } from '../progress.js';
import { ACTIVE } from './downloads.js';

type Outcome = { kind: 'ended'; job: JobView; byUser: boolean } | { kind: 'left'; job: JobView };

export const pull: Command = {
  name: 'pull',
  synopsis: 'NAME [--force] [--update]',
  summary: 'download a model with live progress (Ctrl-C: cancel it, or leave it running in the daemon)',
  options: { force: { type: 'boolean' }, update: { type: 'boolean' } },
  optionHelp: [
    "--force           download even a model the daemon says will not fit this computer (WONT_FIT)",
    '--update          ask Ollama for a newer version of a model that is already installed',
  ],
  arity: [1, 1],
  async run(ctx) {
    const model = ctx.args[0] as string;
    const update = flag(ctx, 'update');
    if (!update && (await alreadyInstalled(ctx, model))) return EXIT.OK;
    const body = { model, ...(flag(ctx, 'force') ? { force: true } : {}), ...(update ? { update: true } : {}) };
    return startAndFollow(ctx, async () => {
      const { data } = await ctx.client.post('/api/model/download', DownloadResponse, body);
      return { job: data.job, message: data.message, note: data.note };
    });
  },
};

/**
 * Pulling an installed model would only re-read its manifest; say what is true instead. A name the
 * grammar refuses is left to the daemon, which answers it with its own sentence.
 */
async function alreadyInstalled(ctx: Context, model: string): Promise<boolean> {
  // Loaded here: the catalog behind it is not needed by any other command's start.
  const { resolveModelName } = await import('../../models/resolve.js');
  let name: string;
  try {
    name = resolveModelName(model).name;
  } catch {
    return false;
  }
  const [{ data: installed }, { data: current }] = await Promise.all([
    ctx.client.get('/api/model/installed', ListResponse),
    ctx.client.get('/api/model/current', CurrentResponse),
  ]);
  const view = installed.models.find((m) => m.name === name);
  if (!view) return false;
  if (ctx.out.json) {
    ctx.out.document({ success: true, message: `${name} is already installed.`, model: name, installed: true, is_current: view.is_current });
    return true;
  }
  ctx.out.line(`${ctx.out.green('✓')} ${name} is already installed${view.is_current ? ' and is the current model' : ''}. ` +
    `\`junmai pull ${name} --update\` asks Ollama for a newer version.`);
  if (current.current_model !== name) ctx.out.line(ctx.out.dim(`Make it the current model with \`junmai switch ${name}\`.`));
  return true;
}

export interface StartedJob {
  job: JobView;
  message: string;
  note?: string | undefined;
}

/** Subscribes to the daemon's events, starts (or resumes) a job and follows it to its end: `pull` and `resume`. */
export async function startAndFollow(ctx: Context, start: () => Promise<StartedJob>): Promise<number> {
  const { client, out } = ctx;
  // Loaded here, not at the top: ws and cli-progress would add ~80 ms to the start of every other command.
  const [stream, { createProgress }] = await Promise.all([openEvents(client), import('../progress.js')]);
  const started = await startFollowed(stream, start);
  const first = started.job;
  out.line(`${started.message} ${out.dim(`(job ${first.id})`)}`);
  if (started.note) out.note(out.dim(started.note));
  if (!stream) out.note(out.dim('Live updates are unavailable; following the download by polling.'));

  const outcome = await follow(ctx, first, stream, createProgress(out));
  return finish(ctx, outcome);
}

/** Feeds the display from events (or polling) until the job ends, fails to be followed, or Ctrl-C is answered. */
function follow(ctx: Context, initial: JobView, stream: EventStream | undefined, display: ProgressDisplay): Promise<Outcome> {
  const { client } = ctx;
  const path = `/api/model/downloads/${encodeURIComponent(initial.id)}`;
  let asking = false;
  let prompted = false;
  /** Set once we have asked the daemon to cancel: its `download.cancelled` may arrive before its answer. */
  let cancelling = false;

  return new Promise<Outcome>((resolve, reject) => {
    const follower = new Follow<JobView>({
      client, stream, initial,
      fromEvent: (e) => (e.type.startsWith('download.') && 'job' in e.data && e.data.job.id === initial.id ? e.data.job : undefined),
      read: async () => (await client.get(path, JobResponse)).data.job,
      isStale: (job, last) => job.updated_at < last.updated_at || (!ACTIVE.has(last.status) && ACTIVE.has(job.status)),
      onItem: (job) => {
        if (asking) return;
        // Once the question has been asked the bar stays put: the answer is the last thing on screen.
        if (!prompted) display.update(job);
        if (!ACTIVE.has(job.status)) done({ kind: 'ended', job, byUser: cancelling && job.status === 'cancelled' });
      },
      onError: (err) => fail(err),
      lostContact: () => new CliError(
        `Lost contact with the Junmai daemon at ${client.url} during the download of ${initial.model}. ` +
          'When it is running again, `junmai downloads` shows what became of it.',
        EXIT.NOT_RUNNING, 'DAEMON_NOT_RUNNING',
      ),
    });
    const { done, fail } = settleOnce<Outcome>(resolve, reject, () => {
      follower.stop();
      process.off('SIGINT', onSigint);
      display.stop();
    });

    const onSigint = () => {
      if (asking) return;
      // Without a terminal to answer on (a script, a CI job), nobody can be asked: the daemon keeps the download.
      if (!process.stdin.isTTY) return done({ kind: 'left', job: follower.latest });
      asking = true;
      prompted = true;
      display.stop();
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      let answered = false;
      const answer = (text: string) => {
        if (answered) return;
        answered = true;
        rl.close();
        asking = false;
        const last = follower.latest;
        // It may have ended while the question was up; then there is nothing left to decide.
        if (!ACTIVE.has(last.status)) done({ kind: 'ended', job: last, byUser: false });
        else if (/^\s*c/i.test(text)) void cancel();
        else done({ kind: 'left', job: last });
      };
      // A second Ctrl-C at the question means "just let me go": leave it running.
      rl.on('SIGINT', () => answer(''));
      rl.on('close', () => answer(''));
      rl.question('\nCancel the download, or leave it running in the daemon? [c/L] ', answer);
    };
    const cancel = async () => {
      cancelling = true;
      try {
        const { data } = await client.delete(path, JobResponse);
        done({ kind: 'ended', job: data.job, byUser: data.job.status === 'cancelled' });
      } catch (err) {
        fail(err);
      }
    };
    process.on('SIGINT', onSigint);
    follower.start();
  });
}

async function finish(ctx: Context, outcome: Outcome): Promise<number> {
  const { out, client } = ctx;
  const job = outcome.job;
  if (out.json) {
    // The API's own body for the job, as the other commands print theirs.
    const body = await client.get(`/api/model/downloads/${encodeURIComponent(job.id)}`, JobResponse).then((a) => a.raw, () => ({ success: true, job }));
    out.document(body);
  }
  if (outcome.kind === 'left') {
    out.note(`Left the download of ${job.model} running in the daemon (${Math.floor(job.percent)}% so far). ` +
      `Check on it with \`junmai downloads\`; cancel it with \`junmai cancel ${job.id}\`.`);
    return EXIT.INTERRUPTED;
  }
  switch (job.status) {
    case 'completed': {
      if (job.up_to_date) {
        out.line(`${out.green('✓')} ${job.message}`);
        return EXIT.OK;
      }
      const took = (Date.parse(job.finished_at ?? job.updated_at) - Date.parse(job.created_at)) / 1000;
      out.line(`${out.green('✓')} ${job.model} is downloaded and installed (${bytes(job.total_bytes ?? job.completed_bytes)} in ${duration(took)}${job.resumed ? ', resumed' : ''}).`);
      const current = await client.get('/api/model/current', CurrentResponse).then((a) => a.data.current_model, () => null);
      if (current === job.model) out.line(out.dim(`${job.model} is the current model, so photos use the new download.`));
      else out.line(out.dim(`Make it the current model with \`junmai switch ${job.model}\`.`));
      return EXIT.OK;
    }
    case 'cancelled':
      if (outcome.byUser) {
        out.note(`Cancelled the download of ${job.model}. Ollama keeps the layers it has, so \`junmai pull ${job.model}\` continues from there.`);
        return EXIT.INTERRUPTED;
      }
      out.note(out.red(`The download of ${job.model} was cancelled.`));
      return EXIT.DOWNLOAD_FAILED;
    case 'interrupted':
      out.note(out.red(`The download of ${job.model} was interrupted: ${job.error ?? 'the daemon stopped'}`) +
        ` Run \`junmai pull ${job.model}\` again to continue where it stopped.`);
      return EXIT.DOWNLOAD_FAILED;
    default:
      out.note(out.red(`junmai: the download of ${job.model} failed: ${job.error ?? 'no reason given'}`) + (job.error_code ? ` (${job.error_code})` : ''));
      return EXIT.DOWNLOAD_FAILED;
  }
}

import { JobListResponse, JobResponse, type JobView } from '../../schemas/api.js';
import { stringOpt, type Command, type Context } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { DASH, duration, progressBytes, speed, when, type Output } from '../output.js';

export const ACTIVE = new Set<JobView['status']>(['queued', 'downloading', 'verifying']);

export const downloads: Command = {
  name: 'downloads',
  synopsis: '[--limit N]',
  summary: 'recent downloads, active first',
  options: { limit: { type: 'string' } },
  optionHelp: ['--limit N         at most N jobs (1-500, default 50)'],
  arity: [0, 0],
  async run(ctx) {
    const limit = stringOpt(ctx, 'limit');
    if (limit !== undefined && !/^\d+$/.test(limit)) throw new UsageError(`--limit must be a whole number (got "${limit}").`);
    const { data, raw } = await ctx.client.get(`/api/model/downloads${limit ? `?limit=${limit}` : ''}`, JobListResponse);
    if (ctx.out.json) ctx.out.document(raw);
    else printJobs(ctx.out, data.jobs);
    return 0;
  },
};

/** The API keeps at most this many jobs in a listing; a prefix is looked up among them. */
const MAX_LISTED = 500;

/**
 * A job by its id or by the start of it, as `junmai downloads` shows it: typing 36 characters is no
 * one's idea of a first hour. A prefix that matches several jobs is refused with their ids.
 */
export async function findJob(ctx: Context, idOrPrefix: string): Promise<JobView> {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(wanted)) {
    return (await ctx.client.get(`/api/model/downloads/${encodeURIComponent(wanted)}`, JobResponse)).data.job;
  }
  const { data } = await ctx.client.get(`/api/model/downloads?limit=${MAX_LISTED}`, JobListResponse);
  const matches = wanted === '' ? [] : data.jobs.filter((j) => j.id.toLowerCase().startsWith(wanted));
  if (matches.length === 1) return matches[0] as JobView;
  if (matches.length === 0) {
    throw new CliError(`There is no download whose id starts with "${idOrPrefix}". \`junmai downloads\` lists them.`, EXIT.DAEMON_ERROR, 'JOB_NOT_FOUND');
  }
  throw new UsageError(`"${idOrPrefix}" is the start of ${matches.length} downloads' ids (${matches.map((j) => j.id).join(', ')}); give more of it.`);
}

export function statusText(out: Output, job: JobView): string {
  switch (job.status) {
    case 'completed': return out.green(job.status);
    case 'failed': case 'interrupted': return out.red(job.status);
    case 'cancelled': return out.yellow(job.status);
    default: return out.cyan(job.status);
  }
}

function printJobs(out: Output, jobs: JobView[]): void {
  if (jobs.length === 0) {
    out.line('No downloads yet. Start one with `junmai pull NAME`.');
    return;
  }
  out.table(
    [
      { header: 'ID' }, { header: 'MODEL' }, { header: 'STATUS' }, { header: 'PROGRESS', align: 'right' }, { header: 'SIZE', align: 'right' },
      { header: 'SPEED', align: 'right' }, { header: 'ETA', align: 'right' }, { header: 'STARTED' }, { header: 'NOTE' },
    ],
    jobs.map((j) => {
      const active = ACTIVE.has(j.status);
      return [
        j.id, j.model, statusText(out, j), `${Math.floor(j.percent)}%`, progressBytes(j.completed_bytes, j.total_bytes),
        active ? speed(j.bytes_per_second) : DASH, active ? duration(j.eta_seconds) : DASH, when(j.created_at),
        j.error ? `${j.error_code ?? ''} ${j.error}`.trim() : j.resumed ? 'resumed' : '',
      ];
    }),
  );
}

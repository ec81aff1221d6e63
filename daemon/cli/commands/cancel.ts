import { JobResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { ACTIVE, findJob } from './downloads.js';

export const cancel: Command = {
  name: 'cancel',
  synopsis: 'ID',
  summary: 'cancel a download by its id or the start of it (Ollama keeps the layers it has, so a new pull continues)',
  arity: [1, 1],
  async run(ctx) {
    const job = await findJob(ctx, ctx.args[0] as string);
    // A job that has ended is reported as it is: "Cancelled" again would claim an act that did not happen.
    if (!ACTIVE.has(job.status)) {
      if (ctx.out.json) ctx.out.document({ success: true, job });
      else if (job.status === 'cancelled') ctx.out.line(`The download of ${job.model} was already cancelled.`);
      else ctx.out.line(`The download of ${job.model} had already ended: ${job.status}.`);
      return 0;
    }
    const { data, raw } = await ctx.client.delete(`/api/model/downloads/${encodeURIComponent(job.id)}`, JobResponse);
    if (ctx.out.json) ctx.out.document(raw);
    else if (data.job.status === 'cancelled') ctx.out.line(`${ctx.out.green('✓')} Cancelled the download of ${data.job.model}.`);
    else ctx.out.line(`The download of ${data.job.model} had already ended: ${data.job.status}.`);
    return 0;
  },
};

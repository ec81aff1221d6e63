import { JobResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { findJob } from './downloads.js';
import { startAndFollow } from './pull.js';

export const resume: Command = {
  name: 'resume',
  synopsis: 'ID',
  summary: 'continue a cancelled, failed or interrupted download where it stopped, with live progress',
  arity: [1, 1],
  async run(ctx) {
    const old = await findJob(ctx, ctx.args[0] as string);
    return startAndFollow(ctx, async () => {
      const { data } = await ctx.client.post(`/api/model/downloads/${encodeURIComponent(old.id)}/resume`, JobResponse);
      return { job: data.job, message: `Resuming the download of ${data.job.model}.` };
    });
  },
};

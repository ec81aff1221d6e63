import { JobResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';

export const cancel: Command = {
  name: 'cancel',
  synopsis: 'ID',
  summary: 'cancel a download (Ollama keeps the layers it has, so a new pull continues)',
  arity: [1, 1],
  async run(ctx) {
    const id = ctx.args[0] as string;
    const { data, raw } = await ctx.client.delete(`/api/model/downloads/${encodeURIComponent(id)}`, JobResponse);
    if (ctx.out.json) ctx.out.document(raw);
    else if (data.job.status === 'cancelled') ctx.out.line(`${ctx.out.green('✓')} Cancelled the download of ${data.job.model}.`);
    // Cancelling a finished job is not an error in the API either: it says what the job is.
    else ctx.out.line(`The download of ${data.job.model} had already ended: ${data.job.status}.`);
    return 0;
  },
};

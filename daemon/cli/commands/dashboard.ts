import { HealthResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';

export const dashboard: Command = {
  name: 'dashboard',
  summary: 'open the live dashboard in the browser (and print its address)',
  arity: [0, 0],
  async run(ctx) {
    // A dead address is no use to open; a daemon that wants a token is fine, as the page asks for it.
    await ctx.client.get('/api/health', HealthResponse).catch((err: unknown) => {
      if (!(err instanceof CliError && err.code === 'UNAUTHORIZED')) throw err;
    });
    const url = `${ctx.client.url}/`;
    if (ctx.out.json) ctx.out.document({ success: true, url });
    else ctx.out.line(`The Junmai dashboard is at ${url}`);
    try {
      await ctx.open(url);
    } catch (err) {
      ctx.out.note(`Could not open a browser (${(err as Error).message}); open the address above yourself.`);
    }
    return 0;
  },
};

import { DeleteResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';

export const rm: Command = {
  name: 'rm',
  synopsis: 'NAME',
  summary: 'delete a downloaded model from Ollama',
  arity: [1, 1],
  async run(ctx) {
    const { data, raw } = await ctx.client.delete('/api/model/delete', DeleteResponse, { model: ctx.args[0] });
    if (ctx.out.json) ctx.out.document(raw);
    else ctx.out.line(`${ctx.out.green('✓')} ${data.message}`);
    return 0;
  },
};

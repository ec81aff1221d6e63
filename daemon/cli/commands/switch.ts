import { SwitchResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';

export const switchModel: Command = {
  name: 'switch',
  synopsis: 'NAME',
  summary: 'make an installed model the current one',
  arity: [1, 1],
  async run(ctx) {
    const { data, raw } = await ctx.client.post('/api/model/switch', SwitchResponse, { model: ctx.args[0] });
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    ctx.out.line(`${ctx.out.green('✓')} ${data.message}${data.previous_model && data.previous_model !== data.current_model ? ` (was ${data.previous_model})` : ''}`);
    if (data.note) ctx.out.note(ctx.out.dim(data.note));
    if (data.warning) ctx.out.note(ctx.out.yellow(`warning: ${data.warning}`));
    return 0;
  },
};

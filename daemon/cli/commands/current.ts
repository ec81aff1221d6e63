import { CurrentResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { sizeCell } from '../output.js';

export const current: Command = {
  name: 'current',
  summary: 'the model photos are evaluated with',
  arity: [0, 0],
  async run(ctx) {
    const { data, raw } = await ctx.client.get('/api/model/current', CurrentResponse);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    if (!data.current_model) {
      ctx.out.line('No current model is set. Choose one with `junmai switch NAME` (see `junmai list --installed`).');
      return 0;
    }
    const m = data.model;
    const loaded = data.loaded === true ? ', loaded in Ollama' : data.loaded === false ? ', not loaded yet (the first photo will wait for it)' : '';
    ctx.out.line(`${ctx.out.bold(data.current_model)}${m ? `  ${m.display_name}, ${sizeCell(m.size_bytes, m.size_gb)}${m.vision ? ', vision' : ''}` : ''}${loaded}`);
    if (m && !m.installed) ctx.out.note(ctx.out.yellow(`${data.current_model} is no longer installed in Ollama; download it with \`junmai pull ${data.current_model}\`.`));
    return 0;
  },
};

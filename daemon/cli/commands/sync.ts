import { SyncResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';

export const sync: Command = {
  name: 'sync',
  summary: "re-read Ollama's installed models",
  arity: [0, 0],
  async run(ctx) {
    const { data, raw } = await ctx.client.post('/api/model/sync', SyncResponse);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    ctx.out.line(`${ctx.out.green('✓')} ${data.message}${data.ollama_version ? ` (Ollama ${data.ollama_version})` : ''}`);
    if (data.added.length) ctx.out.line(`  new: ${data.added.join(', ')}`);
    if (data.removed.length) ctx.out.line(`  gone: ${data.removed.join(', ')}`);
    return 0;
  },
};

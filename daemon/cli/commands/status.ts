import { HealthResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';

export const status: Command = {
  name: 'status',
  summary: "whether the daemon, its database and Ollama are ready (and whether Ollama needs an update)",
  arity: [0, 0],
  async run(ctx) {
    const { data, raw } = await ctx.client.get('/api/health', HealthResponse);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    const o = ctx.out;
    const mark = data.status === 'ok' ? o.green('✓') : o.yellow('!');
    o.line(`${mark} Junmai ${data.daemon_version} (API ${data.api_version}): ${data.status}`);
    const ollama = data.ollama;
    o.line(ollama.reachable ? `  Ollama ${ollama.version ?? '?'} at ${ollama.url}` : `  Ollama not reachable at ${ollama.url}: ${ollama.error ?? 'no answer'}`);
    if (ollama.update_notice) o.line(`  ${o.yellow(ollama.update_notice)}`);
    o.line(data.database.ok ? `  database schema ${data.database.schema_version}` : `  database cannot be read${data.database.notice ? `: ${data.database.notice}` : ''}`);
    return 0;
  },
};

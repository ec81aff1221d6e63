import { StatisticsResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { DASH, ms, percent, when } from '../output.js';

export const stats: Command = {
  name: 'stats',
  synopsis: '[NAME]',
  summary: 'how each model has performed on your photos',
  arity: [0, 1],
  async run(ctx) {
    const name = ctx.args[0];
    const { data, raw } = await ctx.client.get(`/api/model/statistics${name ? `?model=${encodeURIComponent(name)}` : ''}`, StatisticsResponse);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    const rows = Object.values(data.statistics).filter((s) => s.count > 0 || s.imported !== null);
    if (rows.length === 0) {
      ctx.out.line(name ? `No usage recorded for ${name} yet.` : 'No usage recorded yet. Statistics appear once Lightroom has evaluated photos.');
      return 0;
    }
    ctx.out.table(
      [
        { header: 'MODEL' }, { header: 'USES', align: 'right' }, { header: 'SUCCESS', align: 'right' }, { header: 'MEAN', align: 'right' },
        { header: 'P50', align: 'right' }, { header: 'P95', align: 'right' }, { header: 'LOAD', align: 'right' }, { header: 'TOKENS/S', align: 'right' },
        { header: 'LAST USED' },
      ],
      rows
        .sort((a, b) => b.count - a.count)
        .map((s) => [
          s.model, String(s.count), percent(s.success_rate), ms(s.mean_ms), ms(s.p50_ms), ms(s.p95_ms), ms(s.mean_load_ms),
          s.tokens_per_second === null ? DASH : s.tokens_per_second.toFixed(1), when(s.last_used),
        ]),
    );
    ctx.out.line(ctx.out.dim(`${data.total_usage} evaluation(s) in all`));
    const imported = rows.filter((s) => s.imported && s.imported.usage_count);
    if (imported.length) ctx.out.line(ctx.out.dim(`Imported from an older system (not counted above): ${imported.map((s) => `${s.model} ${s.imported?.usage_count}`).join(', ')}`));
    return 0;
  },
};

import { CAPABILITIES, PRIORITIES, RecommendResponse } from '../../schemas/api.js';
import { gigabytes, oneOf, stringOpt, type Command } from '../command.js';
import { UsageError } from '../errors.js';
import { gbCell, type Output } from '../output.js';

const FIT_TEXT = { fits_gpu: 'fits the GPU', fits_with_offload: 'fits with CPU offload', does_not_fit: 'does not fit' } as const;

export const recommend: Command = {
  name: 'recommend',
  synopsis: '[VRAM] [PRIORITY] [--vram GB] [--priority P] [--capability C]',
  summary: 'the best model for this computer (or for VRAM gigabytes)',
  options: { vram: { type: 'string' }, priority: { type: 'string' }, capability: { type: 'string' } },
  optionHelp: [
    '--vram GB         GPU memory to plan for (default: what the daemon detects)',
    `--priority P      ${PRIORITIES.join(' | ')} (default balanced)`,
    `--capability C    ${CAPABILITIES.join(' | ')} | any (default vision)`,
  ],
  arity: [0, 2],
  async run(ctx) {
    const [first, second] = ctx.args;
    // Either order reads naturally ("recommend quality 8"), and a number is never a priority.
    const numeric = (s: string | undefined) => s !== undefined && /^[\d.]+$/.test(s);
    const vramArg = [first, second].find(numeric);
    const priorityArg = [first, second].find((s) => s !== undefined && !numeric(s));
    if (ctx.args.length === 2 && (vramArg === undefined || priorityArg === undefined)) {
      throw new UsageError('recommend takes at most one VRAM figure and one priority, e.g. `junmai recommend 8 balanced`.');
    }
    if (vramArg !== undefined && stringOpt(ctx, 'vram') !== undefined) throw new UsageError('Give the VRAM once: as an argument or as --vram.');
    if (priorityArg !== undefined && stringOpt(ctx, 'priority') !== undefined) throw new UsageError('Give the priority once: as an argument or as --priority.');
    const vram = gigabytes(vramArg ?? stringOpt(ctx, 'vram'), 'VRAM');
    const priority = oneOf(priorityArg ?? stringOpt(ctx, 'priority'), PRIORITIES, 'The priority');
    const capability = oneOf(stringOpt(ctx, 'capability'), [...CAPABILITIES, 'any'] as const, '--capability');
    const body = {
      ...(vram === undefined ? {} : { available_vram_gb: vram }),
      ...(priority ? { priority } : {}),
      ...(capability ? { capability } : {}),
    };
    const { data, raw } = await ctx.client.post('/api/model/recommend', RecommendResponse, body);
    if (ctx.out.json) ctx.out.document(raw);
    else print(ctx.out, data);
    return 0;
  },
};

function print(out: Output, r: ReturnType<typeof RecommendResponse.parse>): void {
  const a = r.available;
  out.line(out.dim(`Planning for ${gbCell(a.gpu_memory_gb)} of GPU memory (${a.from === 'request' ? 'as asked' : a.memory_source.replace(/_/g, ' ')}) ` +
    `and ${gbCell(a.offload_memory_gb)} for offload; priority ${r.priority}, capability ${r.capability}.`));
  out.line(r.message);
  const rec = r.recommendation;
  if (rec) {
    out.line();
    out.line(`${out.bold(rec.model)}  ${rec.display_name}: ${FIT_TEXT[rec.fit]}, needs about ${gbCell(rec.estimate.total_gb)}`);
    for (const reason of rec.reasons.length ? rec.reasons : r.reasons) out.line(`  - ${reason}`);
    if (r.download_needed) out.line(`Download it with \`junmai pull ${rec.model}\`.`);
    else out.line(`It is installed; use it with \`junmai switch ${rec.model}\`.`);
  } else {
    for (const reason of r.reasons) out.line(`  - ${reason}`);
  }
  if (r.alternatives.length) {
    out.line();
    out.line(out.bold('Alternatives'));
    out.table(
      [{ header: 'MODEL' }, { header: 'FIT' }, { header: 'NEEDS', align: 'right' }, { header: 'SCORE', align: 'right' }, { header: 'INSTALLED' }],
      r.alternatives.map((c) => [c.model, FIT_TEXT[c.fit], gbCell(c.estimate.total_gb), c.score.toFixed(1), out.check(c.installed)]),
    );
  }
}

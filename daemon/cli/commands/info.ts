import { InfoResponse } from '../../schemas/api.js';
import { namePath, type Command } from '../command.js';
import { gbCell, ms, percent, sizeCell, when } from '../output.js';

const FIT_TEXT = { fits_gpu: 'yes, in GPU memory', fits_with_offload: 'with CPU offload (slower)', does_not_fit: 'no' } as const;

export const info: Command = {
  name: 'info',
  synopsis: 'NAME',
  summary: 'everything Junmai knows about one model',
  arity: [1, 1],
  async run(ctx) {
    const name = ctx.args[0] as string;
    const { data, raw } = await ctx.client.get(`/api/model/info/${namePath(name)}`, InfoResponse);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    const m = data.model;
    const yes = (b: boolean) => (b ? ctx.out.green('yes') : 'no');
    ctx.out.line(m.display_name && m.display_name !== m.name ? `${ctx.out.bold(m.name)}  ${m.display_name}` : ctx.out.bold(m.name));
    if (m.description) ctx.out.line(m.description);
    ctx.out.line();
    ctx.out.fields([
      ['installed', yes(m.installed)],
      ['current', yes(m.is_current)],
      ['source', m.source],
      ['purpose', m.purpose ?? '-'],
      ['family', m.family ?? '-'],
      ['parameters', m.parameter_size ?? '-'],
      ['quantization', m.quantization ?? '-'],
      ['size', sizeCell(m.size_bytes, m.size_gb, 2)],
      ['min VRAM', gbCell(m.min_vram_gb)],
      ['fits here', m.fit === null ? '-' : FIT_TEXT[m.fit]],
      ['sees photos', yes(m.vision)],
      ['context length', m.context_length === null ? '-' : String(m.context_length)],
      ['needs Ollama', m.min_ollama_version === null ? '-' : `${m.min_ollama_version} or newer`],
      ['capabilities', m.capabilities.join(', ') || '-'],
      ['recommended use', m.recommended_use || '-'],
      ['uses', String(m.usage_count)],
      ['average time', ms(m.avg_inference_time === null ? null : m.avg_inference_time * 1000)],
      ['success rate', percent(m.success_rate)],
      ['last used', when(m.last_used)],
    ]);
    if (data.alias) ctx.out.note(ctx.out.dim(`"${data.alias}" is an old name for ${m.name}.`));
    if (data.note) ctx.out.note(ctx.out.dim(data.note));
    return 0;
  },
};

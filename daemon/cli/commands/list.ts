import { CAPABILITIES, ListResponse, PURPOSES, type ModelView } from '../../schemas/api.js';
import { flag, gigabytes, oneOf, stringOpt, type Command } from '../command.js';
import { UsageError } from '../errors.js';
import { DASH, gbCell, sizeCell, type Output } from '../output.js';

export const list: Command = {
  name: 'list',
  synopsis: '[--purpose P] [--max-vram GB] [--installed] [--vision | --capability C]',
  summary: 'models in the catalog and in Ollama',
  options: {
    purpose: { type: 'string' },
    'max-vram': { type: 'string' },
    installed: { type: 'boolean' },
    vision: { type: 'boolean' },
    capability: { type: 'string' },
  },
  optionHelp: [
    `--purpose P       ${PURPOSES.join(' | ')}`,
    '--max-vram GB     only models that need at most this much GPU memory',
    '--installed       only models Ollama has downloaded',
    `--capability C    ${CAPABILITIES.join(' | ')} (--vision is --capability vision)`,
  ],
  arity: [0, 0],
  async run(ctx) {
    const capability = oneOf(stringOpt(ctx, 'capability'), CAPABILITIES, '--capability');
    if (flag(ctx, 'vision') && capability && capability !== 'vision') throw new UsageError('--vision and --capability ' + capability + ' contradict each other.');
    const query = new URLSearchParams();
    const purpose = oneOf(stringOpt(ctx, 'purpose'), PURPOSES, '--purpose');
    const maxVram = gigabytes(stringOpt(ctx, 'max-vram'), '--max-vram');
    if (purpose) query.set('purpose', purpose);
    if (maxVram !== undefined) query.set('max_vram', String(maxVram));
    if (flag(ctx, 'installed')) query.set('installed_only', 'true');
    if (capability ?? flag(ctx, 'vision')) query.set('capability', capability ?? 'vision');
    const qs = query.toString();
    const { data, raw } = await ctx.client.get(`/api/model/list${qs ? `?${qs}` : ''}`, ListResponse);
    if (ctx.out.json) ctx.out.document(raw);
    else printModels(ctx.out, data.models, qs !== '');
    return 0;
  },
};

export function printModels(out: Output, models: ModelView[], filtered: boolean): void {
  if (models.length === 0) {
    out.line(filtered ? 'No model matches those filters.' : 'No models known yet; is Ollama running? Try `junmai sync`.');
    return;
  }
  out.table(
    [
      { header: 'NAME' }, { header: 'PURPOSE' }, { header: 'SIZE', align: 'right' }, { header: 'MIN VRAM', align: 'right' },
      { header: 'FITS HERE' }, { header: 'VISION' }, { header: 'INSTALLED' }, { header: 'CURRENT' }, { header: 'USES', align: 'right' },
    ],
    models.map((m) => [
      m.is_current ? out.bold(m.name) : m.name,
      m.purpose ?? (m.source === 'custom' ? 'custom' : '-'),
      sizeCell(m.size_bytes, m.size_gb),
      gbCell(m.min_vram_gb),
      m.fit === null ? DASH : fitCell(out, m.fit),
      out.check(m.vision),
      // A cloud model is listed by Ollama but lives on ollama.com: not "installed on this computer".
      m.remote_host ? 'cloud' : out.check(m.installed),
      out.check(m.is_current),
      String(m.usage_count),
    ]),
  );
  out.line(out.dim(`${models.length} model(s)`));
}

const FIT_CELL = { fits_gpu: 'fits', fits_with_offload: 'with offload', does_not_fit: "won't fit" } as const;

function fitCell(out: Output, fit: NonNullable<ModelView['fit']>): string {
  const text = FIT_CELL[fit];
  return fit === 'fits_gpu' ? out.green(text) : fit === 'fits_with_offload' ? out.yellow(text) : out.red(text);
}

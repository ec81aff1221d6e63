import { HardwareResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { bytes, memory } from '../output.js';

const SOURCE_TEXT = { dedicated_vram: 'dedicated GPU memory', unified_memory: 'unified memory (Apple silicon)', system_ram: 'system RAM (no usable GPU)' } as const;

export const hardware: Command = {
  name: 'hardware',
  summary: "what the daemon sees of this computer: GPUs, memory for models, free disk on Ollama's drive",
  arity: [0, 0],
  async run(ctx) {
    const { data, raw } = await ctx.client.get('/api/hardware', HardwareResponse);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    const h = data.hardware;
    ctx.out.fields([
      ['system', `${h.platform} ${h.arch}`],
      ['CPU', `${h.cpu.brand} (${h.cpu.physical_cores} cores, ${h.cpu.cores} threads)`],
      ['RAM', `${memory(h.ram_total_bytes)} (${memory(h.ram_available_bytes)} available)`],
      ['memory for models', `${memory(h.gpu_memory_bytes)} on ${SOURCE_TEXT[h.memory_source]}`],
      ['offload memory', memory(h.offload_memory_bytes)],
      ['models disk', diskText(h.models_dir, h.disk_free_bytes)],
    ]);
    if (h.gpus.length) {
      ctx.out.line();
      ctx.out.table(
        [{ header: 'GPU' }, { header: 'VENDOR' }, { header: 'VRAM', align: 'right' }, { header: 'FREE', align: 'right' }, { header: 'DEDICATED' }],
        h.gpus.map((g) => [
          g.model, g.vendor, g.vram_total_bytes === null ? '-' : memory(g.vram_total_bytes), g.vram_free_bytes === null ? '-' : memory(g.vram_free_bytes), ctx.out.check(g.dedicated),
        ]),
      );
    }
    for (const n of h.notes) ctx.out.line(ctx.out.dim(`note: ${n}`));
    return 0;
  },
};

/** Free space where Ollama keeps models; unknown when Ollama runs on another computer. */
function diskText(dir: string | null | undefined, free: number | null | undefined): string {
  if (free === null || free === undefined) return dir ? `${dir} (free space unknown)` : "unknown (Ollama is on another computer)";
  return `${bytes(free)} free${dir ? ` in ${dir}` : ''}`;
}

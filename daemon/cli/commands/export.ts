import { writeFileSync } from 'node:fs';
import { ExportResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { FileError } from '../errors.js';

export const exportCmd: Command = {
  name: 'export',
  synopsis: '[FILE]',
  summary: 'write the model metadata document (current model, statistics) to FILE, or to stdout',
  arity: [0, 1],
  async run(ctx) {
    const file = ctx.args[0];
    const { data, raw } = await ctx.client.post('/api/model/export', ExportResponse);
    // The document itself, not the API envelope: that is what `junmai import` and the daemon take back.
    const text = JSON.stringify(data.document, null, 2) + '\n';
    if (file && file !== '-') {
      try {
        writeFileSync(file, text);
      } catch (err) {
        throw new FileError('write', file, err);
      }
    }
    if (ctx.out.json) ctx.out.document(raw);
    else if (file && file !== '-') ctx.out.line(`${ctx.out.green('✓')} Exported ${data.document.models.length} model(s) to ${file}.`);
    else ctx.out.stdout.write(text);
    return 0;
  },
};

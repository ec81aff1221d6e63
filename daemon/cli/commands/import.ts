import { readFileSync } from 'node:fs';
import { ImportResponse } from '../../schemas/api.js';
import type { Command } from '../command.js';
import { FileError, UsageError } from '../errors.js';

export const importCmd: Command = {
  name: 'import',
  synopsis: 'FILE',
  summary: "load a document from `junmai export`, or the old system's model_metadata.json",
  arity: [1, 1],
  async run(ctx) {
    const file = ctx.args[0] as string;
    let text: string;
    try {
      // Read here, not by the daemon: it never opens paths a client names.
      text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    } catch (err) {
      throw new FileError('read', file, err);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new UsageError(`${file} is not JSON; expected a document from \`junmai export\` or the old system's model_metadata.json.`);
    }
    // `junmai export --json` saves the API envelope; accept it rather than make the user unwrap it.
    const envelope = doc as { success?: unknown; document?: unknown } | null;
    if (envelope && typeof envelope === 'object' && envelope.success === true && envelope.document && typeof envelope.document === 'object') doc = envelope.document;
    const { data, raw } = await ctx.client.post('/api/model/import', ImportResponse, doc);
    if (ctx.out.json) {
      ctx.out.document(raw);
      return 0;
    }
    ctx.out.line(`${ctx.out.green('✓')} ${data.message}`);
    if (data.imported.length) ctx.out.line(`  models: ${data.imported.join(', ')}`);
    if (data.current_model) ctx.out.line(`  current model: ${data.current_model}`);
    for (const w of data.warnings) ctx.out.note(ctx.out.yellow(`warning: ${w}`));
    return 0;
  },
};

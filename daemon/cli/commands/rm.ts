import { createInterface } from 'node:readline';
import { DeleteResponse } from '../../schemas/api.js';
import { flag, type Command, type Context } from '../command.js';
import { EXIT } from '../errors.js';

export const rm: Command = {
  name: 'rm',
  synopsis: 'NAME [--yes]',
  summary: 'delete a downloaded model from Ollama (asks first in a terminal)',
  options: { yes: { type: 'boolean', short: 'y' } },
  optionHelp: ['-y, --yes         delete without asking'],
  arity: [1, 1],
  async run(ctx) {
    const model = ctx.args[0] as string;
    // Only a person at a terminal can be asked; a script says what it wants by running the command.
    if (process.stdin.isTTY && !flag(ctx, 'yes') && !(await confirm(ctx, `Delete ${model} from Ollama? Downloading it again takes as long as the first time. [y/N] `))) {
      ctx.out.note(`Kept ${model}.`);
      return EXIT.OK;
    }
    const { data, raw } = await ctx.client.delete('/api/model/delete', DeleteResponse, { model });
    if (ctx.out.json) ctx.out.document(raw);
    else ctx.out.line(`${ctx.out.green('✓')} ${data.message}`);
    return EXIT.OK;
  },
};

/** Yes only for an answer starting with "y"; Enter, Ctrl-C and Ctrl-D keep the model. */
function confirm(ctx: Context, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: ctx.out.stderr });
    let answered = false;
    const answer = (text: string) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(/^\s*y/i.test(text));
    };
    rl.on('SIGINT', () => answer(''));
    rl.on('close', () => answer(''));
    rl.question(question, answer);
  });
}

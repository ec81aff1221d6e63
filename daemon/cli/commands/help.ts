import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { helpText } from '../help.js';

export const help: Command = {
  name: 'help',
  synopsis: '[COMMAND]',
  summary: 'this text',
  arity: [0, 1],
  async run(ctx) {
    const name = ctx.args[0];
    if (name && !ctx.commands.some((c) => c.name === name)) throw new UsageError(`There is no command "${name}".`);
    // Help is for people even under --json; there is no API body to print.
    ctx.out.stdout.write(helpText(ctx.commands, name));
    return 0;
  },
};

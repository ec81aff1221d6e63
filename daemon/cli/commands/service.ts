import { ServiceError } from '../../service/index.js';
import { runServiceAction, SERVICE_ACTIONS } from '../../service/run.js';
import { oneOf, type Command } from '../command.js';
import { CliError, EXIT } from '../errors.js';

export const service: Command = {
  name: 'service',
  synopsis: 'install|uninstall|status',
  summary: 'start the daemon at login (LaunchAgent, Task Scheduler or systemd user unit)',
  arity: [1, 1],
  async run(ctx) {
    const action = oneOf(ctx.args[0], SERVICE_ACTIONS, 'The service action') as (typeof SERVICE_ACTIONS)[number];
    try {
      return await runServiceAction(action, (value, text) => (ctx.out.json ? ctx.out.document(value) : ctx.out.line(text)));
    } catch (err) {
      if (err instanceof ServiceError) throw new CliError(err.message, EXIT.DAEMON_ERROR, 'SERVICE_ERROR');
      throw err;
    }
  },
};

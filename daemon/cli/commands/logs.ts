import { loadConfig } from '../../config.js';
import { currentLogFile, tailLog } from '../../logging.js';
import { stringOpt, type Command } from '../command.js';
import { UsageError } from '../errors.js';

export const logs: Command = {
  name: 'logs',
  summary: "the end of the daemon's log (JSON lines, newest last)",
  options: { lines: { type: 'string', short: 'n' } },
  optionHelp: ['-n, --lines N   how many lines (default 50)'],
  arity: [0, 0],
  async run(ctx) {
    const raw = stringOpt(ctx, 'lines') ?? '50';
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--lines must be a whole number from 1 to 100000 (got "${raw}").`);
    const { dataDir } = loadConfig();
    const lines = tailLog(dataDir, n);
    if (ctx.out.json) {
      ctx.out.document({ file: currentLogFile(dataDir) ?? null, lines });
      return 0;
    }
    if (lines.length === 0) ctx.out.line(`No log yet in ${dataDir}. The daemon writes one once it has started.`);
    for (const line of lines) ctx.out.line(line);
    return 0;
  },
};

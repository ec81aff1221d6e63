import { currentLogFile, tailLog } from '../../logging.js';
import { HealthResponse } from '../../schemas/api.js';
import { localDataDir } from '../client.js';
import { stringOpt, type Command, type Context } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';

export const logs: Command = {
  name: 'logs',
  summary: "the end of the daemon's log (JSON lines, newest last)",
  options: { lines: { type: 'string', short: 'n' } },
  optionHelp: ['-n, --lines N     how many lines (default 50)'],
  arity: [0, 0],
  async run(ctx) {
    const raw = stringOpt(ctx, 'lines') ?? '50';
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--lines must be a whole number from 1 to 100000 (got "${raw}").`);
    const { dataDir, file } = await logLocation(ctx);
    const lines = tailLog(dataDir, n);
    if (ctx.out.json) {
      ctx.out.document({ file, lines });
      return 0;
    }
    if (lines.length === 0) ctx.out.line(`No log yet in ${dataDir}. The daemon writes one once it has started.`);
    for (const line of lines) ctx.out.line(line);
    return 0;
  },
};

/**
 * The running daemon says where it writes, whatever JUNMAI_DATA_DIR this shell has. A daemon that is
 * not running cannot say; then the log is the one a daemon started from this shell would write.
 */
async function logLocation(ctx: Context): Promise<{ dataDir: string; file: string | null }> {
  try {
    const { files } = (await ctx.client.get('/api/health', HealthResponse)).data;
    return { dataDir: files.data_dir, file: files.log_file };
  } catch (err) {
    if (!(err instanceof CliError) || err.exitCode !== EXIT.NOT_RUNNING) throw err;
    const dataDir = localDataDir();
    ctx.out.note(ctx.out.dim(`The daemon is not running at ${ctx.client.url}; this is the log in ${dataDir}.`));
    return { dataDir, file: currentLogFile(dataDir) ?? null };
  }
}

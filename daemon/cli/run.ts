import { parseArgs } from 'node:util';
import { DAEMON_VERSION } from '../version.js';
import { Client, defaultUrl, resolveToken } from './client.js';
import type { Command, Context, OptionSpecs } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { helpText } from './help.js';
import { systemOpener, type Opener } from './open.js';
import { Output, wantsColor } from './output.js';

const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

const ALL_OPTIONS: OptionSpecs = Object.assign({}, ...COMMANDS.map((c) => c.options ?? {}), GLOBAL_OPTIONS);

export interface RunIO {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  open?: Opener;
}

/** Runs one command line and returns the exit code; never exits the process itself. */
export async function run(argv: string[], io: RunIO = {}): Promise<number> {
  const env = io.env ?? process.env;
  // Errors are reported before we know whether --json was asked for; find out leniently first.
  const loose = parseArgs({ args: argv, options: ALL_OPTIONS, strict: false, allowPositionals: true });
  const out = new Output({
    json: loose.values.json === true,
    color: wantsColor(loose.values['no-color'] === true, io.stdout ?? process.stdout, env),
    ...(io.stdout ? { stdout: io.stdout } : {}),
    ...(io.stderr ? { stderr: io.stderr } : {}),
  });
  try {
    return await dispatch(argv, loose.positionals[0], out, env, io.open ?? systemOpener);
  } catch (err) {
    return report(err, out);
  }
}

async function dispatch(argv: string[], name: string | undefined, out: Output, env: NodeJS.ProcessEnv, open: Opener): Promise<number> {
  const command = name === undefined ? undefined : COMMANDS.find((c) => c.name === name);
  if (name !== undefined && !command) throw new UsageError(`Unknown command "${name}".`);
  const { values, positionals } = strictParse(argv, command);
  if (values.version) {
    out.stdout.write(`junmai ${DAEMON_VERSION}\n`);
    return EXIT.OK;
  }
  if (!command || values.help) {
    // Asked for help: stdout and 0. Said nothing at all: a usage error, so a script with an empty variable notices.
    if (command || values.help) {
      out.stdout.write(helpText(COMMANDS, command?.name));
      return EXIT.OK;
    }
    out.stderr.write(helpText(COMMANDS));
    return EXIT.USAGE;
  }
  const args = positionals.slice(1);
  const [min, max] = command.arity ?? [0, Infinity];
  if (args.length < min) throw new UsageError(`Missing argument: junmai ${command.name} ${command.synopsis ?? ''}`.trimEnd() + '.');
  if (args.length > max) throw new UsageError(`Too many arguments for ${command.name}: ${args.slice(max).join(' ')}.`);
  const url = typeof values.url === 'string' ? values.url : defaultUrl(env);
  checkUrl(url);
  const client = new Client({ url, token: resolveToken(typeof values.token === 'string' ? values.token : undefined, env) });
  // No option is declared `multiple`, so no value is an array.
  return command.run({ args, values: values as Context['values'], client, out, commands: COMMANDS, open });
}

function strictParse(argv: string[], command: Command | undefined) {
  try {
    return parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) }, strict: true, allowPositionals: true });
  } catch (err) {
    // node's messages name the option and say what is wrong; only the hint to "pass --" is unhelpful here.
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(command ? `${message} (see \`junmai help ${command.name}\`)` : message);
  }
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--url must be an address such as http://127.0.0.1:5100 (got "${url}").`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url must start with http:// or https:// (got "${url}").`);
}

function report(err: unknown, out: Output): number {
  if (!(err instanceof CliError)) {
    const e = err as Error;
    out.note(`junmai: unexpected error: ${e?.stack ?? String(err)}`);
    return EXIT.DAEMON_ERROR;
  }
  if (out.json && err.exitCode !== EXIT.USAGE) out.document(err.body ?? { success: false, error: err.message, code: err.code });
  const code = err.exitCode === EXIT.DAEMON_ERROR && err.body !== undefined ? ` (${err.code})` : '';
  out.note(`junmai: ${out.red(err.message)}${code}`);
  if (err instanceof UsageError) out.note('Run `junmai help` for the commands and their options.');
  return err.exitCode;
}

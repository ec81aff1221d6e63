import type { ParseArgsConfig } from 'node:util';
import type { Client } from './client.js';
import { isAppError } from '../errors.js';
import { parseModelName } from '../ollama/names.js';
import { CliError, EXIT, UsageError } from './errors.js';
import type { Opener } from './open.js';
import type { Output } from './output.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface Context {
  /** Positional arguments after the command name. */
  args: string[];
  values: Record<string, string | boolean | undefined>;
  client: Client;
  out: Output;
  /** The whole registry, for `help`. */
  commands: readonly Command[];
  /** Shows an address in the default browser (`dashboard`). */
  open: Opener;
}

export interface Command {
  name: string;
  /** Synopsis after the name, e.g. `NAME` or `[VRAM] [PRIORITY]`. */
  synopsis?: string;
  summary: string;
  options?: OptionSpecs;
  /** One line per option, for help. */
  optionHelp?: string[];
  /** How many positionals the command takes, [min, max]. */
  arity?: [number, number];
  run(ctx: Context): Promise<number>;
}

export function stringOpt(ctx: Context, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(ctx: Context, name: string): boolean {
  return ctx.values[name] === true;
}

/** A number of gigabytes as the API bounds it, checked here so a typo is a usage error rather than a round trip. */
export function gigabytes(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 4096) {
    throw new UsageError(`${what} must be a number of gigabytes between 0 and 4096, such as 8 (got "${value}").`);
  }
  return n;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${what} must be one of ${allowed.join(', ')} (got "${value}").`);
  return v as T;
}

/**
 * Names travel in the URL path; each segment is escaped but `namespace/model` keeps its slash. A name
 * outside Ollama's grammar is answered here with the daemon's own sentence and code: `../../x` would
 * otherwise be folded away by URL normalisation and reach another route.
 */
export function namePath(name: string): string {
  try {
    parseModelName(name);
  } catch (err) {
    if (!isAppError(err)) throw err;
    throw new CliError(err.message, EXIT.DAEMON_ERROR, err.code, { success: false, error: err.message, code: err.code });
  }
  return name.split('/').map(encodeURIComponent).join('/');
}

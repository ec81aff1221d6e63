import type { Command } from './command.js';
import { EXIT_CODE_HELP } from './errors.js';

export const GLOBAL_HELP = [
  '--url URL         the daemon (default $JUNMAI_URL, else http://127.0.0.1:$JUNMAI_PORT or :5100)',
  '--token TOKEN     access token (default $JUNMAI_TOKEN, else the `token` file in the daemon\'s data folder)',
  '--json            print the API\'s JSON answer as-is, one document per command, for scripts',
  '--no-color        no colors (also when $NO_COLOR is set or output is not a terminal)',
  '-h, --help        help; `junmai help COMMAND` for one command',
  '--version         the version of this junmai',
];

const usageLine = (c: Command) => `junmai ${c.name}${c.synopsis ? ` ${c.synopsis}` : ''}`;

export function helpText(commands: readonly Command[], only?: string): string {
  const lines: string[] = [];
  const one = only ? commands.find((c) => c.name === only) : undefined;
  if (one) {
    lines.push(`Usage: ${usageLine(one)}`, '', `  ${one.summary}`);
    if (one.optionHelp?.length) lines.push('', 'Options:', ...one.optionHelp.map((o) => `  ${o}`));
    lines.push('', 'Global options:', ...GLOBAL_HELP.map((o) => `  ${o}`), '');
    return lines.join('\n');
  }
  lines.push(
    'junmai: manage the Junmai daemon\'s Ollama models from a terminal',
    '',
    'Usage: junmai COMMAND [ARGUMENTS] [OPTIONS]',
    '',
    'Commands:',
  );
  const width = Math.max(...commands.map((c) => `${c.name}${c.synopsis ? ` ${c.synopsis}` : ''}`.length));
  for (const c of commands) {
    const head = `${c.name}${c.synopsis ? ` ${c.synopsis}` : ''}`;
    // Long synopses get their own line so the summaries stay in one column.
    if (head.length > 40) lines.push(`  ${head}`, `  ${' '.repeat(Math.min(width, 40))}  ${c.summary}`);
    else lines.push(`  ${head.padEnd(Math.min(width, 40))}  ${c.summary}`);
  }
  const options = commands.flatMap((c) => (c.optionHelp ?? []).map((o) => `  ${o}  (${c.name})`));
  if (options.length) lines.push('', 'Command options:', ...options);
  lines.push('', 'Global options:', ...GLOBAL_HELP.map((o) => `  ${o}`));
  lines.push('', 'Exit codes:', ...EXIT_CODE_HELP.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`));
  lines.push(
    '',
    'The daemon must be running: `npm start` in the Junmai checkout, or `junmai serve`.',
    'Examples:',
    '  junmai list --installed',
    '  junmai recommend 8 balanced',
    '  junmai pull gemma3:4b && junmai switch gemma3:4b',
    '  junmai compare ~/Pictures/rated --models gemma3:4b,qwen2.5vl:7b',
    '  junmai export backup.json',
    '',
  );
  return lines.join('\n');
}

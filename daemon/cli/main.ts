#!/usr/bin/env node
/**
 * `junmai`: the command-line client of the daemon. All logic is in run.ts so it can be driven
 * without a process; this file only turns its answer into an exit code.
 */
import { run } from './run.js';

const code = await run(process.argv.slice(2));
// Exit explicitly (a leftover keep-alive socket must not hold the shell), but only after stdout and
// stderr have drained: on a pipe, process.exit could otherwise cut off the end of a --json document.
const drain = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
await Promise.all([drain(process.stdout), drain(process.stderr)]);
process.exit(code);

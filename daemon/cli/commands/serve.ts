import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.js';

/**
 * The daemon's entry starts on import and exits the process itself, so it runs as a child with
 * the terminal handed over: its log, its exit code, its signal handling stay exactly as `npm start`.
 * From source (tsx) there is no main.js next to us, only main.ts, and our execArgv carries the loader.
 */
function daemonEntry(): string {
  const js = fileURLToPath(new URL('../../main.js', import.meta.url));
  if (existsSync(js)) return js;
  return fileURLToPath(new URL('../../main.ts', import.meta.url));
}

export const serve: Command = {
  name: 'serve',
  summary: 'run the daemon in the foreground (settings from JUNMAI_* environment variables; Ctrl-C stops it)',
  arity: [0, 0],
  async run(ctx) {
    const env = { ...process.env };
    // --url names where to reach a daemon; for serve it also says where to listen, when given.
    const given = ctx.values.url;
    if (typeof given === 'string') {
      const u = new URL(given);
      env.JUNMAI_HOST = u.hostname.replace(/^\[|\]$/g, '');
      if (u.port) env.JUNMAI_PORT = u.port;
    }
    if (typeof ctx.values.token === 'string') env.JUNMAI_TOKEN = ctx.values.token;
    const child = spawn(process.execPath, [...process.execArgv, daemonEntry()], { stdio: 'inherit', env });
    // A terminal's Ctrl-C reaches the child directly too; forwarding is for a signal sent to us alone
    // (kill, a service manager). The daemon shuts down once however many it gets.
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
      });
      child.on('error', (err) => {
        ctx.out.note(`junmai: could not start the daemon: ${err.message}`);
        resolve(1);
      });
    });
  },
};

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from source through tsx, as a real child process. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stdout matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

/** Settings from the developer's shell must not leak into what the tests assert. */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['JUNMAI_URL', 'JUNMAI_PORT', 'JUNMAI_TOKEN', 'JUNMAI_DATA_DIR', 'NO_COLOR', 'FORCE_COLOR']) delete env[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

const CLI = [process.execPath, '--import', 'tsx', 'daemon/cli/main.ts'];

export function startCli(args: string[], env: Record<string, string | undefined> = {}): CliProcess {
  return watch(spawn(CLI[0] as string, [...CLI.slice(1), ...args], { cwd: ROOT, env: cleanEnv(env), stdio: 'pipe' }));
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `junmai ARGS` in a pseudo-terminal, as a person runs it: util-linux `script` gives it a TTY for
 * stdin and stdout, so it draws bars and asks questions. Write answers to `child.stdin`; the output
 * is what the terminal received (carriage returns and escape sequences included).
 */
export function startTerminal(args: string[], env: Record<string, string | undefined> = {}): CliProcess {
  const command = [...CLI, ...args].map(shellQuote).join(' ');
  return watch(spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: cleanEnv({ SHELL: '/bin/sh', COLUMNS: '120', LINES: '40', TERM: 'xterm', ...env }),
    stdio: 'pipe',
  }));
}

function watch(child: ChildProcessWithoutNullStreams): CliProcess {
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    for (const w of [...watchers]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    done,
    waitForOutput(pattern, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`)), timeoutMs);
        const check = () => {
          if (!pattern.test(stdout)) return;
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        };
        watchers.push(check);
        check();
      });
    },
  };
}

/** Runs `junmai ARGS` to the end. Stdin is a pipe closed at once: no TTY, as in a script. */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const p = startCli(args, env);
  p.child.stdin.end();
  return p.done;
}

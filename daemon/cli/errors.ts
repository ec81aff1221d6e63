/**
 * Exit codes are part of the CLI's contract with scripts, so they live in one place and `junmai help`
 * prints this table rather than a copy of it.
 */
export const EXIT = {
  OK: 0,
  DAEMON_ERROR: 1,
  USAGE: 2,
  NOT_RUNNING: 3,
  DOWNLOAD_FAILED: 4,
  INTERRUPTED: 130,
} as const;

export const EXIT_CODE_HELP: ReadonlyArray<readonly [number, string]> = [
  [EXIT.OK, 'done'],
  [EXIT.DAEMON_ERROR, 'the daemon answered with an error (its sentence and code are printed), or with an answer this junmai does not understand'],
  [EXIT.USAGE, 'usage error: unknown command or option, missing argument, unreadable file'],
  [EXIT.NOT_RUNNING, 'the daemon is not running (or not reachable at --url)'],
  [EXIT.DOWNLOAD_FAILED, 'a download failed, was cancelled elsewhere, or was interrupted by the daemon stopping'],
  [EXIT.INTERRUPTED, 'interrupted with Ctrl-C (a download left running, or cancelled at your request)'],
];

/** Anything a command throws to end the run; main prints `message` and exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    /** A stable code for --json output (the daemon's own code when it answered). */
    readonly code: string,
    /** The daemon's error body, printed as-is under --json. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE, 'USAGE');
  }
}

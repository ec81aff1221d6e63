import { dirname } from 'node:path';

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
  COMPARISON_FAILED: 5,
  INTERRUPTED: 130,
} as const;

export const EXIT_CODE_HELP: ReadonlyArray<readonly [number, string]> = [
  [EXIT.OK, 'done'],
  [EXIT.DAEMON_ERROR, 'the daemon answered with an error (its sentence and code are printed), or with an answer this junmai does not understand'],
  [EXIT.USAGE, 'usage error: unknown command or option, missing argument, unreadable file, a folder without JPEG photos'],
  [EXIT.NOT_RUNNING, 'the daemon is not running (or not reachable at --url)'],
  [EXIT.DOWNLOAD_FAILED, 'a download failed, was cancelled elsewhere, or was interrupted by the daemon stopping'],
  [EXIT.COMPARISON_FAILED, 'a comparison failed, was cancelled elsewhere, or was interrupted by the daemon stopping'],
  [EXIT.INTERRUPTED, 'interrupted with Ctrl-C (a download left running, or a download or comparison cancelled at your request)'],
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

/**
 * A file the user named could not be read or written: their mistake (exit 2), but one the sentence
 * fully explains, so no pointer to `junmai help` follows it.
 */
export class FileError extends CliError {
  constructor(verb: 'read' | 'write', file: string, err: unknown) {
    super(`Could not ${verb} ${file}: ${fileProblem(verb, file, err as NodeJS.ErrnoException)}.`, EXIT.USAGE, 'FILE_ERROR');
  }
}

function fileProblem(verb: 'read' | 'write', file: string, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return verb === 'read' ? 'no such file' : `the folder ${dirname(file)} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to ${verb} it`;
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'part of the path is a file, not a folder';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return e.message;
  }
}

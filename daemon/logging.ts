import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { privateDir, privateFile } from './private-files.js';

/**
 * The daemon's log: JSON lines (pino) in `<data dir>/logs/junmai.<n>.log`, rotated by size by
 * pino-roll, the newest number being the file in use; plus stdout when a person is watching a terminal.
 * A service manager's stdout is a file nobody reads, so there the rotated file is the only copy.
 */
export const LOG_DIR = 'logs';
const BASE = 'junmai';
const FILE_RE = /^junmai\.(\d+)\.log$/;

export const DEFAULT_LOG_SIZE = '10m';
export const DEFAULT_LOG_FILES = 5;

interface RollStream extends DestinationStream {
  flushSync(): void;
  end(): void;
  once(event: 'close' | 'error', cb: () => void): void;
}
interface RollOptions {
  file: string;
  size: string;
  limit: { count: number; removeOtherLogFiles: boolean };
  mkdir: boolean;
  mode: number;
}
// pino-roll ships no type declarations; this is the part of its signature we use.
const pinoRoll = createRequire(import.meta.url)('pino-roll') as (o: RollOptions) => Promise<RollStream>;

export interface DaemonLogging {
  /** For the daemon's own messages (start, shutdown, fatal errors). */
  logger: Logger;
  /** Fastify's logger option: its own pino instance writing to the same destinations. */
  fastifyLogger: { level: string; stream: DestinationStream };
  /** The file being written now (it changes when the log rotates). */
  file(): string;
  /** Best effort, for paths that exit synchronously (a crash, the forced exit). */
  flushSync(): void;
  close(): Promise<void>;
}

export interface LogOptions {
  dataDir: string;
  level?: string;
  stdout?: boolean;
  /** pino-roll size: `10m`, `512k`, … */
  maxSize?: string;
  /** Files kept, the one in use included. */
  files?: number;
}

export function logDir(dataDir: string): string {
  return join(dataDir, LOG_DIR);
}

export async function openLog(o: LogOptions): Promise<DaemonLogging> {
  const level = o.level ?? 'info';
  if (!(level in pino.levels.values) && level !== 'silent') {
    throw new Error(`JUNMAI_LOG_LEVEL must be one of ${Object.keys(pino.levels.values).join(', ')}, not "${level}"`);
  }
  const dir = logDir(o.dataDir);
  privateDir(dir);
  const roll = await pinoRoll({
    file: join(dir, `${BASE}.log`),
    size: o.maxSize ?? DEFAULT_LOG_SIZE,
    // removeOtherLogFiles: count files left by earlier runs too, so restarts cannot pile files up.
    limit: { count: Math.max(1, (o.files ?? DEFAULT_LOG_FILES) - 1), removeOtherLogFiles: true },
    mkdir: true,
    // Passed on to each file pino-roll opens, rotated ones included.
    mode: 0o600,
  });
  // Files written before the mode was set (an earlier version, another umask) are tightened too.
  for (const name of readdirSync(dir)) if (FILE_RE.test(name)) privateFile(join(dir, name));
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: roll }];
  if (o.stdout) {
    // A terminal gets warnings and errors (main.ts prints its own start line there), unless debug or trace was asked for.
    const debugging = (pino.levels.values[level] ?? Infinity) < (pino.levels.values.info ?? 30);
    streams.push({ level: debugging ? (level as pino.Level) : 'warn', stream: pino.destination({ fd: 1, sync: true }) });
  }
  const stream = pino.multistream(streams);
  const logger = pino({ level }, stream);
  return {
    logger,
    fastifyLogger: { level, stream },
    // pino-roll's stream does not expose its file name (it reads null), but it always writes the highest number.
    file: () => currentLogFile(o.dataDir) ?? join(dir, `${BASE}.1.log`),
    flushSync() {
      try {
        roll.flushSync();
      } catch {
        // a write in progress; the exit flushes what the OS already has
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        roll.once('close', done);
        roll.once('error', done);
        roll.end();
      }),
  };
}

/** Log files oldest first. */
export function logFiles(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(logDir(dataDir));
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: FILE_RE.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
    .map((x) => join(logDir(dataDir), x.n));
}

/** The file the daemon writes now: pino-roll continues from the highest number. */
export function currentLogFile(dataDir: string): string | undefined {
  return logFiles(dataDir).at(-1);
}

/** The last `lines` lines of the log, oldest first, reaching back into rotated files when the current one is short. */
export function tailLog(dataDir: string, lines: number): string[] {
  if (lines <= 0) return [];
  const out: string[] = [];
  for (const file of logFiles(dataDir).reverse()) {
    out.unshift(...lastLines(file, lines - out.length));
    if (out.length >= lines) break;
  }
  return out;
}

/** Reads backwards in chunks so a 10 MB file costs a few reads, and decodes once so no UTF-8 character is split. */
function lastLines(file: string, n: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const chunks: Buffer[] = [];
    let pos = fstatSync(fd).size;
    let newlines = 0;
    while (pos > 0 && newlines <= n) {
      const size = Math.min(64 * 1024, pos);
      pos -= size;
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, pos);
      chunks.unshift(buf);
      for (const byte of buf) if (byte === 0x0a) newlines++;
    }
    const all = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    // The first piece may be the tail of a line that began before `pos`; it is dropped unless the file was read whole.
    if (pos > 0) all.shift();
    return all.slice(-n);
  } finally {
    closeSync(fd);
  }
}

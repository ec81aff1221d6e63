#!/usr/bin/env node
import { join } from 'node:path';
import { ConfigError, daemonUrl, isLoopbackHost, loadConfig, type Config } from './config.js';
import { startDaemon, type Daemon } from './daemon.js';
import { acquireLock, LockHeldError, type DaemonLock } from './lock.js';
import { openLog, type DaemonLogging } from './logging.js';
import { StoreOpenError } from './store/db.js';
import { TOKEN_FILE } from './token.js';
import { DAEMON_VERSION } from './version.js';

/** After a stop signal the daemon exits within this bound, forced if a request or socket will not finish. */
const SHUTDOWN_BOUND_MS = 10_000;
/** The start line waits this long for Ollama's answer; a hung Ollama must not hold up the news that we listen. */
const OLLAMA_CHECK_MS = 3_000;
/** Events that change what the daemon serves; progress and usage are too frequent to log. */
const LOGGED_EVENTS = new Set(['model.switched', 'model.installed', 'model.deleted', 'download.completed', 'download.failed', 'download.cancelled', 'download.interrupted', 'ollama.status']);

/**
 * Entry point. Order matters: the lock comes before the log (a second daemon must not write into the
 * first one's log) and before the store and the port (it must yield without touching either).
 * Exit codes: 0 stopped cleanly or another daemon already serves this data dir (so a service manager
 * does not respawn it), 1 crashed or forced, 2 could not start (bad setting, database, port).
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) exitNow(2, `configuration error: ${err.message}`);
    throw err;
  }

  let lock: DaemonLock;
  try {
    lock = acquireLock(config.dataDir, { port: config.port, url: daemonUrl(config.host, config.port) });
  } catch (err) {
    if (err instanceof LockHeldError) exitNow(0, err.message);
    exitNow(2, `could not create the lock file in ${config.dataDir}: ${(err as Error).message}`);
  }
  process.on('exit', () => lock.release());

  let logging: DaemonLogging;
  try {
    logging = await openLog({ dataDir: config.dataDir, level: process.env.JUNMAI_LOG_LEVEL ?? 'info', stdout: Boolean(process.stdout.isTTY) });
  } catch (err) {
    exitNow(2, (err as Error).message);
  }
  const log = logging.logger;
  process.on('exit', () => logging.flushSync());
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, `unexpected error, stopping: ${err.message}`);
    process.exit(1);
  });

  let daemon: Daemon;
  try {
    daemon = await startDaemon(config, { logger: logging.fastifyLogger, logFile: () => logging.file() });
  } catch (err) {
    const line = startFailure(err as NodeJS.ErrnoException, config);
    log.error({ err }, line);
    exitNow(2, line);
  }
  lock.update({ port: Number(new URL(daemon.url).port), url: daemon.url });
  const line = startLine(config, daemon.url, logging.file(), await ollamaAnswer(daemon));
  log.info(line);
  // For the person who ran `npm start` (or a service manager's stdout): the log's JSON copy is for later.
  process.stdout.write(`${line}\n`);
  daemon.events.subscribe((e) => {
    if (!LOGGED_EVENTS.has(e.type)) return;
    const { job, ...rest } = e.data as { job?: { id: string; model: string; status: string; error_code: string | null; error: string | null } };
    log.info({ event: e.type, ...rest, ...(job ? { job: { id: job.id, model: job.model, status: job.status, error_code: job.error_code, error: job.error } } : {}) }, e.type);
  });

  let closing = false;
  const stop = (signal: string) => {
    // Once: a terminal's Ctrl-C reaches both `junmai serve` and this child, which forwards it again.
    if (closing) return;
    closing = true;
    log.info(`${signal} received, shutting down`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_BOUND_MS / 1000} s, forcing exit`);
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    daemon.close().then(
      async () => {
        clearTimeout(force);
        lock.release();
        log.info('stopped');
        await logging.close();
        process.exit(0);
      },
      (err: Error) => {
        log.error({ err }, `shutdown failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  // SIGHUP: terminal closed (and on Windows the console window); SIGBREAK: Ctrl+Break on Windows.
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  if (process.platform === 'win32') signals.push('SIGBREAK');
  for (const s of signals) process.on(s, () => stop(s));
}

/** Ollama's version, null when it does not answer, undefined when it has not answered within OLLAMA_CHECK_MS. */
async function ollamaAnswer(daemon: Daemon): Promise<string | null | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), OLLAMA_CHECK_MS)));
  try {
    return await Promise.race([daemon.health.ollamaVersion(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything a newcomer needs from the first line: where to reach us, whether Ollama answers, where the files are. */
function startLine(config: Config, url: string, logFile: string, ollama: string | null | undefined): string {
  const ollamaText =
    ollama === undefined ? 'has not answered yet' : ollama === null ? 'does not answer (start Ollama, or set OLLAMA_HOST)' : `answers (version ${ollama})`;
  const token = config.token
    ? ' Requests need the access token from JUNMAI_TOKEN.'
    : isLoopbackHost(config.host)
      ? ''
      : ` Requests need the access token in ${join(config.dataDir, TOKEN_FILE)}.`;
  return `Junmai ${DAEMON_VERSION} is listening on ${url} (pid ${process.pid}). Ollama at ${config.ollamaUrl} ${ollamaText}. ` +
    `Data in ${config.dataDir}, log in ${logFile}.${token}`;
}

/** One line on stderr, which a service manager keeps (launchd's StandardErrorPath, the journal). */
function exitNow(code: number, line: string): never {
  console.error(`junmai: ${line}`);
  process.exit(code);
}

function startFailure(e: NodeJS.ErrnoException, config: Config): string {
  if (e instanceof StoreOpenError) return e.message;
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${config.port} is already in use on ${config.host} by another program; stop that program or choose another port with JUNMAI_PORT`;
    case 'EACCES':
      return `not allowed to listen on port ${config.port}; choose a port above 1024 with JUNMAI_PORT`;
    case 'EADDRNOTAVAIL':
      return `JUNMAI_HOST ${config.host} is not an address of this computer`;
    default:
      return `could not start: ${e.message}`;
  }
}

void main();

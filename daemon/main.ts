#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { startDaemon } from './daemon.js';
import { StoreOpenError } from './store/db.js';

/** Entry point: a bad setting or an unusable database stops the daemon with one line and exit code 2. */
async function main(): Promise<void> {
  let daemon;
  try {
    const config = loadConfig();
    daemon = await startDaemon(config, { logger: { level: process.env.JUNMAI_LOG_LEVEL ?? 'info' } });
    daemon.app.log.info(`Junmai daemon listening on ${daemon.url} (data in ${config.dataDir}, Ollama at ${config.ollamaUrl})`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof ConfigError) console.error(`junmai: configuration error: ${e.message}`);
    else if (err instanceof StoreOpenError) console.error(`junmai: ${e.message}`);
    else if (e.code === 'EADDRINUSE') console.error(`junmai: the port is already in use (${e.message}); is another Junmai daemon running?`);
    else console.error(`junmai: could not start: ${e.message}`);
    process.exit(2);
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    daemon.app.log.info(`${signal} received, shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    daemon.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();

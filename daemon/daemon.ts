import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { DownloadService } from './downloads/jobs.js';
import { EventBus } from './events/bus.js';
import { SystemHardwareProbe, type HardwareProbe } from './hardware/probe.js';
import { Health } from './health.js';
import { buildApp } from './http/app.js';
import { ModelManager } from './models/manager.js';
import { OllamaHttpGateway } from './ollama/gateway.js';
import { OllamaMonitor } from './ollama/monitor.js';
import { Store } from './store/store.js';
import { resolveToken } from './token.js';

export interface Daemon {
  app: FastifyInstance;
  url: string;
  store: Store;
  manager: ModelManager;
  downloads: DownloadService;
  events: EventBus;
  close(): Promise<void>;
}

export interface DaemonOverrides {
  hardware?: HardwareProbe;
  clock?: Clock;
  logger?: boolean | object;
  stallMs?: number;
}

/**
 * Wires config → store → services → HTTP and starts listening. The first sync with Ollama runs
 * in the background: the daemon answers from its store even when Ollama is not running yet.
 */
export async function startDaemon(config: Config, o: DaemonOverrides = {}): Promise<Daemon> {
  const store = Store.open(config.dataDir);
  const clock = o.clock ?? systemClock;
  const events = new EventBus();
  const gateway = new OllamaHttpGateway({ url: config.ollamaUrl, timeoutMs: config.ollamaTimeoutMs });
  const hardware = o.hardware ?? new SystemHardwareProbe();
  let manager: ModelManager | undefined;
  const downloads = new DownloadService({
    store, gateway, clock, events,
    confirmInstalled: (model) => (manager as ModelManager).confirmInstalled(model),
    concurrency: config.downloadConcurrency,
    stallMs: o.stallMs ?? config.stallMs,
  });
  manager = new ModelManager({ store, gateway, hardware, clock, events, isDownloading: (m) => downloads.isDownloading(m) });
  downloads.recoverInterrupted();
  const health = new Health(store, gateway);
  const monitor = new OllamaMonitor(gateway, events);
  const app = await buildApp({
    manager, downloads, health, hardware,
    guard: { listenHost: config.host, token: resolveToken(config) },
    bodyLimitBytes: config.bodyLimitBytes,
    preflight: { ollamaUrl: config.ollamaUrl, ollamaModelsDir: config.ollamaModelsDir, minFreeDiskBytes: config.minFreeDiskBytes },
    ws: { events, snapshot: () => ({ current_model: (manager as ModelManager).currentModel(), jobs: downloads.list(20), ollama: monitor.status }) },
    logger: o.logger ?? false,
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (store.notice) app.log.warn(store.notice);
  monitor.start();
  void manager.sync().catch((err: Error) => app.log.warn(`First sync with Ollama failed: ${err.message}`));
  return {
    app, url: `http://${host}:${port}`, store, manager, downloads, events,
    async close() {
      monitor.stop();
      downloads.interruptAll();
      await app.close();
      store.close();
    },
  };
}

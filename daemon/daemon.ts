import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import { Calibrations } from './compare/calibrations.js';
import { CompareService } from './compare/service.js';
import { daemonUrl, type Config } from './config.js';
import { DownloadService } from './downloads/jobs.js';
import { EvaluationService } from './evaluation/evaluate.js';
import { WarmupService } from './evaluation/warmup.js';
import { EventBus } from './events/bus.js';
import { SystemHardwareProbe, type HardwareProbe } from './hardware/probe.js';
import { Health } from './health.js';
import { buildApp } from './http/app.js';
import { closeWebSockets } from './http/ws.js';
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
  evaluation: EvaluationService;
  warmup: WarmupService;
  compare: CompareService;
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
  let compare: CompareService | undefined;
  manager = new ModelManager({
    store, gateway, hardware, clock, events, isDownloading: (m) => downloads.isDownloading(m),
    agreement: (m) => compare?.latestAgreement(m),
  });
  downloads.recoverInterrupted();
  // The log belongs to the app, which is built after the services that report to it.
  let log: ((message: string) => void) | undefined;
  const warn = (message: string) => log?.(message);
  const cache = store.evaluationCache(config.evaluation.cacheMaxRows, (err) => warn(`Evaluation cache: ${(err as Error).message}`));
  const calibrations = new Calibrations({ store, clock });
  const evaluation = new EvaluationService({
    store, gateway, cache, clock, events, config: config.evaluation, warn,
    calibrate: (model, digest, result) => calibrations.apply(model, digest, result),
    currentModel: () => (manager as ModelManager).currentModel(),
    sync: () => (manager as ModelManager).sync(),
  });
  compare = new CompareService({
    store, gateway, evaluation, events, clock, config: config.evaluation, warn,
    sync: () => (manager as ModelManager).sync(),
  });
  compare.recoverInterrupted();
  const warmup = new WarmupService({ store, gateway, events, clock, config: config.evaluation, warn });
  warmup.start();
  const health = new Health(store, gateway, { concurrency: config.evaluation.concurrency, max_queue: config.evaluation.maxQueue });
  const monitor = new OllamaMonitor(gateway, events);
  const app = await buildApp({
    manager, downloads, health, hardware,
    guard: { listenHost: config.host, token: resolveToken(config) },
    bodyLimitBytes: config.bodyLimitBytes,
    preflight: { ollamaUrl: config.ollamaUrl, ollamaModelsDir: config.ollamaModelsDir, minFreeDiskBytes: config.minFreeDiskBytes },
    ws: { events, snapshot: () => ({ current_model: (manager as ModelManager).currentModel(), jobs: downloads.list(20), ollama: monitor.status }) },
    logger: o.logger ?? false,
    evaluation: { service: evaluation, maxImageBytes: config.evaluation.maxImageBytes },
    compare: { service: compare, calibrations },
  });
  log = (message) => app.log.warn(message);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    warmup.close();
    store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (store.notice) app.log.warn(store.notice);
  monitor.start();
  void manager.sync().catch((err: Error) => app.log.warn(`First sync with Ollama failed: ${err.message}`));
  return {
    app, url: daemonUrl(config.host, port), store, manager, downloads, events, evaluation, warmup, compare,
    async close() {
      monitor.stop();
      // Downloads first, so WebSocket clients receive download.interrupted before their socket closes.
      downloads.interruptAll();
      // Likewise comparisons, before their photos in flight are ended with the evaluations below.
      compare.interruptAll();
      // Evaluations wait on Ollama, possibly for minutes: end them so app.close() below does not wait for them.
      warmup.close();
      evaluation.close();
      await closeWebSockets(app);
      // Stops accepting connections and waits for requests in flight, so their SQLite writes complete.
      await app.close();
      // A request that was in flight may have queued a download after the first call.
      downloads.interruptAll();
      await warmup.settled();
      await compare.settled();
      store.close();
    },
  };
}

import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import { Calibrations } from './compare/calibrations.js';
import { CompareService } from './compare/service.js';
import { daemonUrl, type Config } from './config.js';
import { DownloadService } from './downloads/jobs.js';
import { EvaluationService } from './evaluation/evaluate.js';
import { WarmupService } from './evaluation/warmup.js';
import { EventBus, type BusEvent } from './events/bus.js';
import { SystemHardwareProbe, type HardwareProbe } from './hardware/probe.js';
import { Health } from './health.js';
import { buildApp } from './http/app.js';
import { closeWebSockets } from './http/ws.js';
import { ModelManager } from './models/manager.js';
import { OllamaHttpGateway } from './ollama/gateway.js';
import { OllamaMonitor } from './ollama/monitor.js';
import { RunsService } from './runs/service.js';
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
  health: Health;
  compare: CompareService;
  runs: RunsService;
  close(): Promise<void>;
}

export interface DaemonOverrides {
  hardware?: HardwareProbe;
  clock?: Clock;
  logger?: boolean | object;
  /** The log file being written, for /api/health (main.ts knows it; tests log nowhere). */
  logFile?: () => string;
  stallMs?: number;
  /** Tests: the assumed slowest sha256 speed of Ollama's verification, and how often to re-ask after a lost stream. */
  verifyBytesPerSecond?: number;
  verifyPollMs?: number;
  requestTimeoutMs?: number;
  /** How /ws turns an event into text (JSON.stringify); tests count the calls. */
  serializeEvent?: (e: BusEvent) => string;
}

/**
 * Wires config → store → services → HTTP, syncs with Ollama once and starts listening. The daemon
 * starts even when Ollama is not running: it then answers from its store, and says so.
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
    verifyBytesPerSecond: o.verifyBytesPerSecond,
    verifyPollMs: o.verifyPollMs,
  });
  let compare: CompareService | undefined;
  manager = new ModelManager({
    store, gateway, hardware, clock, events, isDownloading: (m) => downloads.isDownloading(m),
    contextLength: config.evaluation.contextLength, allowCloudModels: config.evaluation.allowCloudModels,
    agreement: (m) => compare?.latestAgreement(m),
  });
  downloads.recoverInterrupted();
  // The log belongs to the app, which is built after the services that report to it.
  let log: ((message: string) => void) | undefined;
  const warn = (message: string) => log?.(message);
  const cache = store.evaluationCache(config.evaluation.cacheMaxRows, (err) => warn(`Evaluation cache: ${(err as Error).message}`));
  const monitor = new OllamaMonitor(gateway, events);
  const calibrations = new Calibrations({ store, clock });
  const evaluation = new EvaluationService({
    store, gateway, cache, clock, events, config: config.evaluation, warn,
    calibrate: (model, digest, result) => calibrations.apply(model, digest, result),
    currentModel: () => (manager as ModelManager).currentModel(),
    sync: () => (manager as ModelManager).sync(),
    ollamaVersion: () => monitor.status.version,
  });
  compare = new CompareService({
    store, gateway, evaluation, events, clock, config: config.evaluation, warn,
    sync: () => (manager as ModelManager).sync(),
  });
  compare.recoverInterrupted();
  const runs = new RunsService({ store, clock, events });
  runs.prune();
  const warmup = new WarmupService({ store, gateway, events, clock, config: config.evaluation, warn });
  warmup.start();
  const health = new Health(store, gateway, { concurrency: config.evaluation.concurrency, max_queue: config.evaluation.maxQueue }, {
    data_dir: config.dataDir,
    log_file: () => o.logFile?.() ?? null,
  });
  const app = await buildApp({
    manager, downloads, health, hardware,
    guard: { listenHost: config.host, token: resolveToken(config) },
    bodyLimitBytes: config.bodyLimitBytes,
    preflight: { ollamaUrl: config.ollamaUrl, ollamaModelsDir: config.ollamaModelsDir, minFreeDiskBytes: config.minFreeDiskBytes },
    ws: { events, snapshot: () => ({ current_model: (manager as ModelManager).currentModel(), jobs: downloads.list(20), ollama: monitor.status }), serialize: o.serializeEvent },
    logger: o.logger ?? false,
    requestTimeoutMs: o.requestTimeoutMs,
    maxConnections: config.maxConnections,
    evaluation: { service: evaluation, maxImageBytes: config.evaluation.maxImageBytes },
    compare: { service: compare, calibrations },
    runs,
  });
  log = (message) => app.log.warn(message);
  // The list's fit column needs the hardware probe, which spawns nvidia-smi, lspci or PowerShell:
  // started now, it runs while the first sync waits for Ollama, not in the first list.
  void manager.availableHere();
  // The first answer must be right: /api/model/list right after start reflects what Ollama has.
  // Bounded by the Ollama timeout, after which the sync goes on and the daemon answers from its store.
  await firstSync(manager, config.ollamaTimeoutMs, (err) => app.log.warn(`First sync with Ollama failed: ${err.message}`));
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
  return {
    app, url: daemonUrl(config.host, port), store, manager, downloads, events, evaluation, warmup, health, compare, runs,
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

async function firstSync(manager: ModelManager, boundMs: number, warn: (err: Error) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
  try {
    await Promise.race([manager.sync().then(() => undefined, warn), late]);
  } finally {
    clearTimeout(timer);
  }
}

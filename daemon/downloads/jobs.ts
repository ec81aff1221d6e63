import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { OllamaGateway } from '../ollama/gateway.js';
import type { JobView } from '../schemas/api.js';
import { ACTIVE_STATUSES, type JobRow, type JobStatus } from '../store/jobs-repo.js';
import type { Store } from '../store/store.js';
import { PullProgress } from './progress.js';

export interface DownloadOptions {
  store: Store;
  gateway: OllamaGateway;
  clock: Clock;
  events: EventBus;
  /** Confirms with Ollama that a pulled model is installed (true when Ollama lists it). */
  confirmInstalled: (model: string) => Promise<boolean>;
  concurrency?: number;
  /** No byte progress for this long fails the job with STALLED instead of waiting forever. */
  stallMs?: number;
  /**
   * The slowest sha256 speed assumed for Ollama's silent check of the fetched blobs (an old CPU or
   * a hard disk); the check may take stallMs plus the fetched bytes at this speed.
   */
  verifyBytesPerSecond?: number;
  /** How often Ollama is asked for the model after the stream was lost while it verified. */
  verifyPollMs?: number;
  /** Progress is written to SQLite and published at most this often per job. */
  progressIntervalMs?: number;
}

interface Running {
  job: JobRow;
  progress: PullProgress;
  controller: AbortController;
  lastFlush: number;
  /** The last pull of this model stopped part-way, so partial layers are its bytes. */
  resuming: boolean;
  /** The installed manifest's digest before an update check. */
  digestBefore: string | null;
  /** Set when Ollama started verifying: until when it may take. */
  verifyUntil: number | undefined;
}

const TERMINAL: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'interrupted'];

/**
 * Model downloads as jobs: a queue with bounded concurrency, one Ollama pull stream per job,
 * progress summed across layers, persisted to SQLite and published as events. A job row is the
 * truth a restarted daemon reads back: anything it finds active was interrupted.
 */
export class DownloadService {
  private readonly queue: JobRow[] = [];
  private readonly running = new Map<string, Running>();
  private readonly concurrency: number;
  private readonly stallMs: number;
  private readonly intervalMs: number;
  private readonly verifyBytesPerSecond: number;
  private readonly verifyPollMs: number;

  constructor(private readonly o: DownloadOptions) {
    this.concurrency = o.concurrency ?? 1;
    this.stallMs = o.stallMs ?? 60_000;
    this.intervalMs = o.progressIntervalMs ?? 250;
    this.verifyBytesPerSecond = o.verifyBytesPerSecond ?? 20e6;
    this.verifyPollMs = o.verifyPollMs ?? 2000;
  }

  /** Called once at start-up, before anything can be queued. */
  recoverInterrupted(): number {
    return this.o.store.jobs.interruptActive(this.o.clock.now());
  }

  isDownloading(model: string): boolean {
    return this.o.store.jobs.activeFor(model) !== undefined;
  }

  /** Starts a download, or returns the one already under way for this model. */
  start(model: string, expectedBytes: number | null, pullName: string = model): { job: JobView; created: boolean } {
    const active = this.o.store.jobs.activeFor(model);
    if (active) return { job: this.view(active), created: false };
    const now = this.o.clock.now().toISOString();
    const job: JobRow = {
      id: randomUUID(), model, pull_name: pullName === model ? null : pullName, status: 'queued', completed_bytes: 0, total_bytes: expectedBytes, resumed_bytes: 0,
      // Pulling a model Ollama has fetches only what changed: an update check.
      update_check: this.o.store.models.get(model)?.installed ?? false, up_to_date: null,
      error_code: null, error_message: null, created_at: now, updated_at: now, finished_at: null,
    };
    this.o.store.jobs.insert(job);
    this.queue.push(job);
    this.pump();
    return { job: this.view(job), created: true };
  }

  list(limit = 50): JobView[] {
    return this.o.store.jobs.list(limit).map((j) => this.view(j));
  }

  get(id: string): JobView {
    return this.view(this.row(id));
  }

  cancel(id: string): JobView {
    const job = this.row(id);
    const running = this.running.get(id);
    if (running) {
      running.controller.abort(new AppError('OLLAMA_ERROR', 'cancelled'));
      this.finish(running.job, 'cancelled', null, null);
      return this.view(running.job);
    }
    const queued = this.queue.findIndex((j) => j.id === id);
    if (queued >= 0) {
      const [j] = this.queue.splice(queued, 1);
      this.finish(j as JobRow, 'cancelled', null, null);
      return this.view(j as JobRow);
    }
    return this.view(job);
  }

  /** A new job for the same model: Ollama keeps the layers it had, so the pull continues where it stopped. */
  resume(id: string): JobView {
    const job = this.row(id);
    if (!['interrupted', 'failed', 'cancelled'].includes(job.status)) {
      if (ACTIVE_STATUSES.includes(job.status)) return this.view(job);
      throw new AppError('JOB_NOT_RESUMABLE', `This download already ${job.status === 'completed' ? 'completed' : 'ended'}; there is nothing to resume.`, { job_id: id });
    }
    return this.start(job.model, job.total_bytes, job.pull_name ?? job.model).job;
  }

  /** Shutdown: running pulls stop and stay resumable. */
  interruptAll(): void {
    for (const r of this.running.values()) {
      r.controller.abort(new AppError('OLLAMA_ERROR', 'interrupted'));
      this.finish(r.job, 'interrupted', 'INTERRUPTED', 'The daemon stopped during this download. Resume it to continue where it stopped.');
    }
    for (const j of this.queue.splice(0)) this.finish(j, 'interrupted', 'INTERRUPTED', 'The daemon stopped before this download started.');
  }

  private row(id: string): JobRow {
    const live = this.running.get(id)?.job ?? this.queue.find((j) => j.id === id);
    const job = live ?? this.o.store.jobs.get(id);
    if (!job) throw new AppError('JOB_NOT_FOUND', 'There is no download with that id.', { job_id: id });
    return job;
  }

  private view(job: JobRow): JobView {
    const r = this.running.get(job.id);
    const total = job.total_bytes;
    const percent = r ? r.progress.percent : job.status === 'completed' ? 100 : total ? Number(Math.min(100, (job.completed_bytes / total) * 100).toFixed(1)) : 0;
    return {
      id: job.id, model: job.model, status: job.status, completed_bytes: job.completed_bytes, total_bytes: total, percent,
      bytes_per_second: r ? r.progress.bytesPerSecond : 0, eta_seconds: r ? r.progress.etaSeconds : null,
      resumed: job.resumed_bytes > 0, resumed_bytes: job.resumed_bytes,
      update_check: job.update_check, up_to_date: job.up_to_date, message: outcome(job),
      error_code: job.error_code, error: job.error_message,
      created_at: job.created_at, updated_at: job.updated_at, finished_at: job.finished_at,
    };
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as JobRow;
      void this.run(job);
    }
  }

  private async run(job: JobRow): Promise<void> {
    const r: Running = {
      job, progress: new PullProgress(job.total_bytes), controller: new AbortController(), lastFlush: 0,
      resuming: this.o.store.jobs.endedPartWay(job.model),
      digestBefore: job.update_check ? (this.o.store.models.get(job.model)?.digest ?? null) : null,
      verifyUntil: undefined,
    };
    this.running.set(job.id, r);
    job.status = 'downloading';
    this.flush(r, true);
    // Ollama writes a line per layer every 60 ms whether or not bytes arrive, and retries a stalled
    // part forever (server/download.go): only bytes count as progress, never lines.
    let timer: NodeJS.Timeout | undefined;
    const abortIn = (ms: number, err: () => AppError) => {
      clearTimeout(timer);
      timer = setTimeout(() => r.controller.abort(err()), ms);
    };
    const stalled = () => new AppError('STALLED', `The download of ${job.model} received no data for ${Math.round(this.stallMs / 1000)} seconds. Try again; it continues where it stopped.`);
    abortIn(this.stallMs, stalled);
    try {
      await this.o.gateway.pull(job.pull_name ?? job.model, {
        signal: r.controller.signal,
        onProgress: (p) => {
          if (r.progress.update(p.digest, p.total, p.completed, Date.now()) && r.verifyUntil === undefined) abortIn(this.stallMs, stalled);
          if (p.status === 'verifying sha256 digest' && r.verifyUntil === undefined) this.verifying(r, abortIn);
          else this.flush(r, false);
        },
      });
      clearTimeout(timer);
      if (TERMINAL.includes(job.status)) return;
      job.status = 'verifying';
      this.flush(r, true);
      if (!(await this.o.confirmInstalled(job.model))) {
        throw new AppError('OLLAMA_ERROR', `Ollama reported the download of ${job.model} complete but does not list the model. Try the download again.`);
      }
      if (!TERMINAL.includes(job.status)) this.complete(r);
    } catch (err) {
      clearTimeout(timer);
      if (TERMINAL.includes(job.status)) return;
      const e = err instanceof AppError ? err : new AppError('OLLAMA_ERROR', `The download of ${job.model} failed.`);
      // Ollama finishes verifying and writes the manifest even when the client has gone
      // (server/routes.go PullHandler): a lost stream at this point is not yet a failed download.
      if (r.verifyUntil !== undefined && (e.code === 'STALLED' || e.code === 'OLLAMA_UNREACHABLE') && (await this.landedAfterAll(r))) {
        if (!TERMINAL.includes(job.status)) this.complete(r);
        return;
      }
      if (!TERMINAL.includes(job.status)) this.finish(job, 'failed', e.code, e.message);
    } finally {
      clearTimeout(timer);
      this.running.delete(job.id);
      this.pump();
    }
  }

  /**
   * Ollama now reads every fetched blob in full and writes nothing until it is done (server/images.go
   * PullModel, verifyBlob): minutes for tens of GB. The stall timer gives way to a deadline that
   * grows with the bytes to hash.
   */
  private verifying(r: Running, abortIn: (ms: number, err: () => AppError) => void): void {
    const ms = this.stallMs + (r.progress.bytesToHash / this.verifyBytesPerSecond) * 1000;
    r.verifyUntil = Date.now() + ms;
    abortIn(ms, () => new AppError('STALLED', `Ollama was still checking the downloaded files of ${r.job.model} after ${Math.round(ms / 1000)} seconds. Try again; the files it has are kept.`));
    r.job.status = 'verifying';
    this.flush(r, true);
  }

  /**
   * Asks Ollama until the verification deadline whether the pull installed the model after all;
   * an Ollama that refuses connections is not verifying anything, so that ends the wait.
   */
  private async landedAfterAll(r: Running): Promise<boolean> {
    for (;;) {
      if (TERMINAL.includes(r.job.status)) return false;
      try {
        if (await this.landed(r)) return true;
      } catch (err) {
        if (!(err instanceof AppError) || err.code === 'OLLAMA_UNREACHABLE') return false;
      }
      const left = (r.verifyUntil ?? 0) - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.verifyPollMs, left)));
    }
  }

  /** Installed, and for an update that fetched something, under a new manifest. */
  private async landed(r: Running): Promise<boolean> {
    if (!(await this.o.confirmInstalled(r.job.model))) return false;
    if (!r.job.update_check || r.progress.fetchedTotal === 0) return true;
    return this.o.store.models.get(r.job.model)?.digest !== r.digestBefore;
  }

  private complete(r: Running): void {
    r.progress.finish();
    if (r.job.update_check) {
      // The manifest digest says whether anything changed; without it, whether any layer had to be fetched.
      const after = this.o.store.models.get(r.job.model)?.digest ?? null;
      r.job.up_to_date = r.digestBefore !== null && after !== null ? after === r.digestBefore : r.progress.allOnDisk;
    }
    this.finish(r.job, 'completed', null, null, r.progress.total ?? r.job.completed_bytes);
  }

  /** Writes progress to SQLite and publishes it, at most once per interval unless forced. */
  private flush(r: Running, force: boolean): void {
    const now = Date.now();
    if (!force && now - r.lastFlush < this.intervalMs) return;
    r.lastFlush = now;
    r.job.completed_bytes = r.progress.completed;
    r.job.total_bytes = r.progress.total;
    r.job.resumed_bytes = resumedBytes(r);
    r.job.updated_at = this.o.clock.now().toISOString();
    this.o.store.jobs.update(r.job);
    this.o.events.publish('download.progress', { job: this.view(r.job) });
  }

  private finish(job: JobRow, status: JobStatus, code: string | null, message: string | null, completedBytes?: number): void {
    const r = this.running.get(job.id);
    if (r) {
      job.completed_bytes = r.progress.completed;
      job.resumed_bytes = resumedBytes(r);
      job.total_bytes = r.progress.total;
    }
    if (completedBytes !== undefined) job.completed_bytes = completedBytes;
    job.status = status;
    job.error_code = code;
    job.error_message = message;
    job.updated_at = this.o.clock.now().toISOString();
    job.finished_at = job.updated_at;
    this.o.store.jobs.update(job);
    const view = this.view(job);
    this.o.events.publish(`download.${status === 'completed' ? 'completed' : status}`, { job: view });
  }
}

/**
 * Bytes of this model that an earlier, interrupted pull left on disk. Layers on disk in full
 * (shared template or license blobs, a re-pull) are not resumed; a part-way layer counts only when
 * the last pull of this model stopped part-way.
 */
function resumedBytes(r: Running): number {
  return r.resuming ? r.progress.partialBytes : 0;
}

/** How a completed job ended, in a sentence. */
function outcome(job: JobRow): string | null {
  if (job.status !== 'completed') return null;
  if (!job.update_check) return `${job.model} is downloaded and installed.`;
  return job.up_to_date ? `${job.model} is already up to date; nothing new was downloaded.` : `${job.model} was updated to the newest version.`;
}

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
  /** Confirms with Ollama that a pulled model is installed; resolves to the installed names. */
  confirmInstalled: (model: string) => Promise<boolean>;
  concurrency?: number;
  /** No progress for this long fails the job with STALLED instead of waiting forever. */
  stallMs?: number;
  /** Progress is written to SQLite and published at most this often per job. */
  progressIntervalMs?: number;
}

interface Running {
  job: JobRow;
  progress: PullProgress;
  controller: AbortController;
  lastFlush: number;
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

  constructor(private readonly o: DownloadOptions) {
    this.concurrency = o.concurrency ?? 1;
    this.stallMs = o.stallMs ?? 60_000;
    this.intervalMs = o.progressIntervalMs ?? 250;
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
      resumed: job.resumed_bytes > 0, resumed_bytes: job.resumed_bytes, error_code: job.error_code, error: job.error_message,
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
    const r: Running = { job, progress: new PullProgress(job.total_bytes), controller: new AbortController(), lastFlush: 0 };
    this.running.set(job.id, r);
    job.status = 'downloading';
    this.flush(r, true);
    let stall: NodeJS.Timeout | undefined;
    const armStall = () => {
      clearTimeout(stall);
      stall = setTimeout(() => r.controller.abort(new AppError('STALLED', `The download of ${job.model} stopped making progress for ${Math.round(this.stallMs / 1000)} seconds. Try again; it continues where it stopped.`)), this.stallMs);
    };
    armStall();
    try {
      await this.o.gateway.pull(job.pull_name ?? job.model, {
        signal: r.controller.signal,
        onProgress: (p) => {
          armStall();
          r.progress.update(p.digest, p.total, p.completed, Date.now());
          if (/^verifying|^writing manifest/.test(p.status) && job.status !== 'verifying') {
            job.status = 'verifying';
            this.flush(r, true);
          } else this.flush(r, false);
        },
      });
      clearTimeout(stall);
      if (TERMINAL.includes(job.status)) return;
      r.progress.finish();
      job.status = 'verifying';
      this.flush(r, true);
      if (!(await this.o.confirmInstalled(job.model))) {
        throw new AppError('OLLAMA_ERROR', `Ollama reported the download of ${job.model} complete but does not list the model. Try the download again.`);
      }
      if (!TERMINAL.includes(job.status)) this.finish(job, 'completed', null, null, r.progress.total ?? job.completed_bytes);
    } catch (err) {
      if (!TERMINAL.includes(job.status)) {
        const e = err instanceof AppError ? err : new AppError('OLLAMA_ERROR', `The download of ${job.model} failed.`);
        this.finish(job, 'failed', e.code, e.message);
      }
    } finally {
      clearTimeout(stall);
      this.running.delete(job.id);
      this.pump();
    }
  }

  /** Writes progress to SQLite and publishes it, at most once per interval unless forced. */
  private flush(r: Running, force: boolean): void {
    const now = Date.now();
    if (!force && now - r.lastFlush < this.intervalMs) return;
    r.lastFlush = now;
    r.job.completed_bytes = r.progress.completed;
    r.job.total_bytes = r.progress.total;
    r.job.resumed_bytes = r.progress.resumedBytes;
    r.job.updated_at = this.o.clock.now().toISOString();
    this.o.store.jobs.update(r.job);
    this.o.events.publish('download.progress', { job: this.view(r.job) });
  }

  private finish(job: JobRow, status: JobStatus, code: string | null, message: string | null, completedBytes?: number): void {
    const r = this.running.get(job.id);
    if (r) {
      job.completed_bytes = r.progress.completed;
      job.resumed_bytes = r.progress.resumedBytes;
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

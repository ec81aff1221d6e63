import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { JobView } from '../schemas/api.js';
import type { CompareRunView } from '../schemas/compare.js';
import { duration, inUnit, progressBytes, speed, unitOf, type Output } from './output.js';

/** What `pull` (a job) and `compare` (a run) show while the daemon works; each kind of terminal gets its own. */
export interface ProgressDisplay<T = JobView> {
  update(item: T): void;
  /** Leaves what was drawn on screen and gives the line back (before a prompt or the final sentence). */
  stop(): void;
}

export function createProgress(out: Output): ProgressDisplay {
  if (out.json) return { update() {}, stop() {} };
  return out.isTTY
    ? new BarProgress(out)
    : new LineProgress(out, (job: JobView) => ({
        percent: job.percent,
        status: job.status,
        text: `${job.model}  ${String(Math.floor(job.percent)).padStart(3)}%  ${progressBytes(job.completed_bytes, job.total_bytes)}  ` +
          `${speed(job.bytes_per_second)}  ETA ${duration(job.eta_seconds)}${stateText(job)}`,
      }));
}

const runPercent = (run: CompareRunView) => (run.progress.total === 0 ? 100 : (100 * run.progress.done) / run.progress.total);
const runState = (run: CompareRunView) => (run.current_model ? `  ${run.current_model}` : `  (${run.status})`);

/** A comparison run: photo evaluations done out of photos × models, and the model at work. */
export function createRunProgress(out: Output): ProgressDisplay<CompareRunView> {
  if (out.json) return { update() {}, stop() {} };
  return out.isTTY
    ? new CountBar(out)
    : new LineProgress(out, (run: CompareRunView) => ({
        percent: runPercent(run),
        status: `${run.status} ${run.current_model ?? ''}`,
        text: `${String(Math.floor(runPercent(run))).padStart(3)}%  ${run.progress.done}/${run.progress.total} photo evaluations${runState(run)}`,
      }));
}

const stateText = (job: JobView) => (job.status === 'downloading' ? '' : `  (${job.status})`);

/** A live bar for a person at a terminal. */
class BarProgress implements ProgressDisplay {
  private readonly bar: cliProgress.SingleBar;
  private started = false;
  private unit: 'GB' | 'MB' = 'MB';
  /** Ollama reports layer sizes as it reaches them; until the first, the total is unknown, not 0. */
  private totalKnown = false;

  constructor(private readonly out: Output) {
    this.bar = new cliProgress.SingleBar({
      format: `${out.cyan('{model}')} |{bar}| {percentage}% | {value}/{total} {unit} | {speed} | ETA {eta_text}{state}`,
      // Values are bytes; shown in the unit picked from the total so both figures read alike.
      formatValue: (v, _o, type) => {
        if (type === 'total' && !this.totalKnown) return '?';
        if (type === 'value' || type === 'total') return inUnit(Number(v), this.unit);
        return type === 'percentage' ? String(v).padStart(3) : String(v);
      },
      stream: out.stdout,
      barsize: 30,
      hideCursor: true,
      emptyOnZero: true,
      // We handle Ctrl-C ourselves (the cancel-or-leave question).
      gracefulExit: false,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
  }

  update(job: JobView): void {
    const total = job.total_bytes ?? 0;
    this.totalKnown = job.total_bytes !== null;
    this.unit = unitOf(Math.max(total, job.completed_bytes));
    const payload = { model: job.model, unit: this.unit, speed: speed(job.bytes_per_second), eta_text: duration(job.eta_seconds), state: stateText(job) };
    if (!this.started) {
      this.bar.start(total, job.completed_bytes, payload);
      this.started = true;
      return;
    }
    if (total !== this.bar.getTotal()) this.bar.setTotal(total);
    this.bar.update(job.completed_bytes, payload);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

/** A live bar counting a run's photo evaluations, with the model at work beside it. */
class CountBar implements ProgressDisplay<CompareRunView> {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(out: Output) {
    this.bar = new cliProgress.SingleBar({
      format: `|{bar}| {percentage}% | {value}/{total} photo evaluations${out.cyan('{state}')}`,
      stream: out.stdout,
      barsize: 30,
      hideCursor: true,
      // Ctrl-C cancels the run; the command handles it.
      gracefulExit: false,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
  }

  update(run: CompareRunView): void {
    const payload = { state: runState(run) };
    if (!this.started) {
      this.bar.start(run.progress.total, run.progress.done, payload);
      this.started = true;
      return;
    }
    this.bar.update(run.progress.done, payload);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

/** Piped or logged output: a plain line every ~5 % (and on a change of state), never a carriage return. */
class LineProgress<T> implements ProgressDisplay<T> {
  private lastStep = -1;
  private lastStatus: string | undefined;

  constructor(
    private readonly out: Output,
    private readonly view: (item: T) => { percent: number; status: string; text: string },
  ) {}

  update(item: T): void {
    const { percent, status, text } = this.view(item);
    const step = Math.floor(percent / 5);
    if (step <= this.lastStep && status === this.lastStatus) return;
    this.lastStep = Math.max(step, this.lastStep);
    this.lastStatus = status;
    this.out.line(text);
  }

  stop(): void {}
}

/** What `evaluate` shows while photos are evaluated one after another. */
export interface PhotoProgress {
  start(path: string): void;
  /** A photo's result, for stdout. */
  result(text: string): void;
  /** A photo the daemon refused, for stderr; the next photo is still tried. */
  refusal(text: string): void;
  stop(): void;
}

export function createPhotoProgress(out: Output, total: number): PhotoProgress {
  const plain: PhotoProgress = {
    start() {},
    result: (text) => out.line(text),
    refusal: (text) => out.note(text),
    stop() {},
  };
  // One photo needs no bar; piped output gets the results alone.
  if (out.json || !out.isTTY || total < 2) return plain;
  return new PhotoBar(out, total);
}

/** A bar counting photos under the results, which scroll above it as they come. */
class PhotoBar implements PhotoProgress {
  private readonly multi: cliProgress.MultiBar;
  private readonly bar: cliProgress.SingleBar;
  private done = 0;

  constructor(out: Output, total: number) {
    this.multi = new cliProgress.MultiBar({
      format: `|{bar}| {value}/{total} photos | ${out.cyan('{photo}')}`,
      stream: out.stdout,
      barsize: 30,
      hideCursor: true,
      gracefulExit: true,
      clearOnComplete: true,
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
    this.bar = this.multi.create(total, 0, { photo: '' });
  }

  start(path: string): void {
    this.bar.update(this.done, { photo: basename(path) });
  }

  result(text: string): void {
    this.log(text);
  }

  refusal(text: string): void {
    this.log(text);
  }

  stop(): void {
    this.multi.stop();
  }

  private log(text: string): void {
    this.multi.log(`${text}\n`);
    this.done++;
    this.bar.update(this.done);
    // Written now: the bar only flushes its log when it redraws, and stop() clears without flushing.
    this.multi.update();
  }
}

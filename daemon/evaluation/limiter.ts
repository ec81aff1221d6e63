import { AppError } from '../errors.js';

interface Waiter {
  grant: () => void;
  fail: (err: unknown) => void;
}

/**
 * At most `concurrency` evaluations in Ollama at once, as many as it has parallel slots: more would
 * only queue inside Ollama, where they cannot be counted, refused or cancelled. Waiters are served
 * in arrival order; beyond `maxQueue` waiting, a request is refused at once with BUSY rather than
 * left to time out in the plugin.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the function that frees the slot; call it exactly once. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason;
    const now = this.tryAcquire();
    if (now) return now;
    if (this.waiting.length >= this.maxQueue) {
      throw new AppError(
        'BUSY',
        `Junmai is already working on ${this.active} photo(s) with ${this.waiting.length} waiting. Send fewer photos at once, or try again shortly.`,
        { running: this.active, queued: this.waiting.length },
      );
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        // The freed slot passes straight to this waiter: `active` never drops, so nobody can jump the queue.
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** A slot if one is free now (nobody waits then: a freed slot passes straight to a waiter), else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.concurrency) return undefined;
    this.active++;
    return this.releaser();
  }

  /** Refuses everyone still waiting (the daemon is stopping). */
  rejectWaiting(err: unknown): void {
    for (const w of this.waiting.splice(0)) w.fail(err);
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.active--;
    };
  }
}

import type { Client } from './client.js';
import { CliError, EXIT } from './errors.js';
import type { EventStream, ServerEvent } from './events.js';

/** After the socket drops, how often the item is read instead. */
const POLL_MS = 500;
/** With the socket up, an occasional read anyway: an item can sit queued without events, and a dropped event must not hang us. */
const HEARTBEAT_MS = 5000;

/**
 * The daemon's /ws feed, opened before a job or run is started so that not one of its events can
 * slip past; undefined when it cannot be opened (then the item is followed by reading it). ws is
 * loaded here, not at the top: it would add to the start of every other command.
 */
export async function openEvents(client: Client): Promise<EventStream | undefined> {
  const { EventStream } = await import('./events.js');
  try {
    return await EventStream.open({ url: client.url, headers: client.headers(), connectTimeoutMs: 3000 });
  } catch {
    return undefined;
  }
}

/** Starts the item once /ws is open (openEvents); a start that fails closes the stream, which nothing would follow. */
export async function startFollowed<S>(stream: EventStream | undefined, start: () => Promise<S>): Promise<S> {
  try {
    return await start();
  } catch (err) {
    stream?.close();
    throw err;
  }
}

/**
 * The end of following, whichever comes first (the item's end, an error, Ctrl-C's answer): `stop`
 * (the follower, the Ctrl-C handler, the display), then the promise settled. Later calls do nothing.
 */
export function settleOnce<R>(resolve: (r: R) => void, reject: (err: unknown) => void, stop: () => void): { done(r: R): void; fail(err: unknown): void } {
  let settled = false;
  const end = (): boolean => {
    if (settled) return false;
    settled = true;
    stop();
    return true;
  };
  return {
    done: (r) => {
      if (end()) resolve(r);
    },
    fail: (err) => {
      if (end()) reject(err);
    },
  };
}

export interface FollowOptions<T> {
  client: Client;
  /** Undefined when /ws could not be opened: then the item is read every POLL_MS. */
  stream: EventStream | undefined;
  initial: T;
  /** The item an event carries, when the event is about this one. */
  fromEvent(e: ServerEvent): T | undefined;
  read(): Promise<T>;
  /** Events and reads can cross: an older picture of the item must not undo a newer one. */
  isStale(next: T, last: T): boolean;
  /** Each picture of the item that is not stale, in order. */
  onItem(item: T): void;
  /** Following can no longer go on: the daemon went away (`lostContact`), or it answered with a contract we do not know. */
  onError(err: unknown): void;
  /** The sentence for a daemon that stopped answering. */
  lostContact(): CliError;
}

/**
 * Follows one item in the daemon (a download job, a comparison run) through its events, and by
 * reading it when the socket drops or stays quiet: what `pull` and `compare` share. What the item's
 * pictures mean (a bar, the end, a question) is the command's.
 */
export class Follow<T> {
  private last: T;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(private readonly o: FollowOptions<T>) {
    this.last = o.initial;
  }

  get latest(): T {
    return this.last;
  }

  start(): void {
    const { stream } = this.o;
    if (stream) {
      stream.on((e) => {
        const item = this.o.fromEvent(e);
        if (item !== undefined) this.seen(item);
      });
      stream.onClose(() => {
        if (!this.stopped) this.every(POLL_MS);
      });
      stream.onDrift((err) => this.o.onError(new CliError(err.message, EXIT.DAEMON_ERROR, 'CONTRACT_MISMATCH')));
      this.every(HEARTBEAT_MS);
    } else this.every(POLL_MS);
    this.seen(this.o.initial);
    // Events of the item that came before its id was known (a short one can end before the daemon's
    // answer arrives) were not ours yet: one read now instead of a heartbeat later.
    void this.poll();
  }

  /** A picture of the item obtained otherwise (the answer to a cancel). */
  seen(item: T): void {
    if (this.stopped || this.o.isStale(item, this.last)) return;
    this.last = item;
    this.o.onItem(item);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.o.stream?.close();
  }

  private every(ms: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    if (this.reading || this.stopped) return;
    this.reading = true;
    try {
      this.seen(await this.o.read());
    } catch (err) {
      if (!this.stopped) this.o.onError(err instanceof CliError && err.exitCode === EXIT.NOT_RUNNING ? this.o.lostContact() : err);
    } finally {
      this.reading = false;
    }
  }
}

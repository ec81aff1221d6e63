import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/**
 * Typed, numbered events for WebSocket clients and the CLI. Each event gets the next sequence
 * number; the last `capacity` events are kept so a client that reconnects with `since` can catch up.
 */
export interface BusEvent {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export class EventBus {
  /**
   * Names this daemon run. Sequence numbers start again at every start, so a client compares this
   * (sent in every snapshot) to know whether its `since` still refers to the same numbering.
   */
  readonly runId = randomUUID();
  private seq = 0;
  private readonly buffer: BusEvent[] = [];
  private readonly emitter = new EventEmitter();

  constructor(private readonly capacity = 1000) {
    this.emitter.setMaxListeners(0);
  }

  publish(type: string, data: Record<string, unknown>): BusEvent {
    const event: BusEvent = { seq: ++this.seq, type, at: new Date().toISOString(), data };
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    this.emitter.emit('event', event);
    return event;
  }

  subscribe(listener: (e: BusEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /**
   * Events after `since`, or undefined when they cannot be told: some have left the buffer, or
   * `since` is beyond anything this run has sent (the client saw an earlier run of the daemon).
   */
  since(since: number): BusEvent[] | undefined {
    const first = this.buffer[0];
    if (since > this.seq) return undefined;
    if (since === this.seq) return [];
    if (!first || first.seq > since + 1) return undefined;
    return this.buffer.filter((e) => e.seq > since);
  }

  get lastSeq(): number {
    return this.seq;
  }
}

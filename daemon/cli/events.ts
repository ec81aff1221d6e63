import WebSocket from 'ws';
import { ServerEvent } from '../schemas/events.js';

export type { ServerEvent };

export interface EventStreamOptions {
  /** The daemon's http(s) URL; /ws is derived from it. */
  url: string;
  headers?: Record<string, string>;
  /** How long to wait for the connection and its first message. */
  connectTimeoutMs?: number;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(ServerEvent.options.map((o) => o.shape.type.value));

/**
 * The daemon's /ws feed, parsed with the shared event schemas. `open` resolves once the first
 * message (the snapshot) has arrived: the server subscribes us before sending it, so nothing that
 * happens afterwards can be missed.
 */
export class EventStream {
  private readonly ws: WebSocket;
  private readonly listeners = new Set<(e: ServerEvent) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly driftListeners = new Set<(err: Error) => void>();
  private closedByUs = false;
  private readonly first: Promise<ServerEvent>;

  private constructor(o: EventStreamOptions) {
    const base = o.url.replace(/\/+$/, '').replace(/^http/, 'ws');
    this.ws = new WebSocket(`${base}/ws`, { headers: o.headers ?? {} });
    const timeoutMs = o.connectTimeoutMs ?? 5000;
    this.first = new Promise<ServerEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no event from ${base}/ws within ${timeoutMs} ms`));
        this.close();
      }, timeoutMs);
      const once = (e: ServerEvent) => {
        clearTimeout(timer);
        this.listeners.delete(once);
        resolve(e);
      };
      this.listeners.add(once);
      this.ws.once('error', (err) => (clearTimeout(timer), reject(err)));
      this.ws.once('unexpected-response', (_req, res) => (clearTimeout(timer), reject(new Error(`HTTP ${res.statusCode} on /ws`))));
    });
    // A rejected `first` that nobody awaits (the stream was dropped) must not crash the process.
    this.first.catch(() => {});
    this.ws.on('message', (raw) => this.dispatch(String(raw)));
    this.ws.on('error', () => {});
    this.ws.on('close', (code, reason) => {
      if (this.closedByUs) return;
      for (const l of this.closeListeners) l(`${code}${reason.length ? ` ${String(reason)}` : ''}`);
    });
  }

  static async open(o: EventStreamOptions): Promise<EventStream> {
    const s = new EventStream(o);
    await s.first;
    return s;
  }

  on(listener: (e: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when the daemon (or the network) ends the stream, not when we close it. */
  onClose(listener: (reason: string) => void): void {
    this.closeListeners.add(listener);
  }

  /** An event of a known type that no longer matches its schema. */
  onDrift(listener: (err: Error) => void): void {
    this.driftListeners.add(listener);
  }

  close(): void {
    this.closedByUs = true;
    this.ws.removeAllListeners('message');
    this.ws.on('error', () => {});
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.terminate();
  }

  private dispatch(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const type = (json as { type?: unknown } | null)?.type;
    const parsed = ServerEvent.safeParse(json);
    if (!parsed.success) {
      // A type we do not know is a newer daemon adding events: ignored. A known type that does not
      // parse is contract drift, and a progress display fed wrong fields would lie; say so.
      if (typeof type === 'string' && KNOWN_TYPES.has(type)) {
        const issue = parsed.error.issues[0];
        const err = new Error(`The daemon sent a "${type}" event this junmai does not understand (${issue?.path.join('.')}: ${issue?.message}). Are the CLI and the daemon from the same version?`);
        for (const l of this.driftListeners) l(err);
      }
      return;
    }
    for (const l of [...this.listeners]) l(parsed.data);
  }
}

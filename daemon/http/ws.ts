import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { BusEvent, EventBus } from '../events/bus.js';

export interface WsDeps {
  events: EventBus;
  snapshot: () => Record<string, unknown>;
  /** A client whose unsent data passes this is cut off (it reconnects with `since`) rather than buffered without bound. */
  maxBufferedBytes?: number;
  /** How a message becomes text; tests count the calls. */
  serialize?: (message: BusEvent) => string;
}

const WsQuery = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  /** The run id of the snapshot the client's `since` came from; another run's numbers mean nothing here. */
  run: z.string().max(64).optional(),
});

interface Client {
  socket: WebSocket;
  /** The connection under the WebSocket, corked while a batch is written to it. */
  raw: Socket;
  /** The last event the client had when it connected (in its snapshot or replay); later ones are sent. */
  after: number;
}

/**
 * Every live event to every client through one subscription: each event is serialized once, not
 * once per client, and the events published in one turn of the event loop (a burst of download
 * progress, say) reach each socket in one write, not one system call per event per client.
 */
class Fanout {
  private readonly clients = new Set<Client>();
  private pending: { seq: number; text: Buffer }[] = [];

  constructor(
    events: EventBus,
    private readonly serialize: (message: BusEvent) => string,
    private readonly limit: number,
  ) {
    events.subscribe((e) => {
      if (this.clients.size === 0) return;
      this.pending.push({ seq: e.seq, text: Buffer.from(this.serialize(e)) });
      if (this.pending.length === 1) queueMicrotask(() => this.flush());
    });
  }

  add(client: Client): void {
    this.clients.add(client);
  }

  remove(client: Client): void {
    this.clients.delete(client);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (const c of this.clients) {
      if (c.socket.readyState !== c.socket.OPEN) continue;
      if (c.socket.bufferedAmount > this.limit) {
        this.remove(c);
        c.socket.close(1013, 'Too slow: reconnect with ?since= to catch up');
        continue;
      }
      c.raw.cork();
      for (const m of batch) if (m.seq > c.after) c.socket.send(m.text, { binary: false });
      c.raw.uncork();
    }
  }
}

/**
 * /ws: a snapshot (or the missed events when `?since=` is still in the replay buffer and, with
 * `&run=`, of this daemon run), then every
 * event as it happens. The upgrade request passes the same Host/Origin/token guards as REST,
 * since it is an ordinary GET until upgraded.
 */
export function registerWs(app: FastifyInstance, deps: WsDeps): void {
  const serialize = deps.serialize ?? JSON.stringify;
  const fanout = new Fanout(deps.events, serialize, deps.maxBufferedBytes ?? 1024 * 1024);
  app.route({
    method: 'GET',
    url: '/ws',
    schema: { querystring: WsQuery, hide: true },
    // A plain GET (a browser tab, curl) gets the error shape instead of an empty 404.
    handler: async () => {
      throw new AppError('UPGRADE_REQUIRED', 'This address is for live events over a WebSocket connection; connect with a WebSocket client.');
    },
    wsHandler: (socket: WebSocket, req) => {
      const { since, run } = req.query as z.infer<typeof WsQuery>;
      const sameRun = run === undefined || run === deps.events.runId;
      const missed = since === undefined || !sameRun ? undefined : deps.events.since(since);
      if (missed) missed.forEach((e) => socket.send(serialize(e)));
      else {
        // The state first, then the number: whatever the state shows happened by then.
        const data = { ...deps.snapshot(), run_id: deps.events.runId };
        socket.send(serialize({ seq: deps.events.lastSeq, type: 'snapshot', at: new Date().toISOString(), data }));
      }
      // Events published this turn are still on their way to the other clients; this one has them
      // already, in its snapshot or its replay.
      const client: Client = { socket, raw: req.raw.socket, after: deps.events.lastSeq };
      fanout.add(client);
      socket.on('close', () => fanout.remove(client));
      socket.on('error', () => fanout.remove(client));
    },
  });
}

/** 1001 "going away" tells clients the daemon stopped on purpose; a client that does not answer the close is cut off. */
export async function closeWebSockets(app: FastifyInstance, waitMs = 2_000): Promise<void> {
  // The fan-out writes a turn's events on a microtask: the last ones (download.interrupted) go out before the close frame.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const clients = [...app.websocketServer.clients];
  await Promise.all(
    clients.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          const timer = setTimeout(() => ws.terminate(), waitMs);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close(1001, 'daemon shutting down');
        }),
    ),
  );
}

import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { BusEvent, EventBus } from '../events/bus.js';

export interface WsDeps {
  events: EventBus;
  snapshot: () => Record<string, unknown>;
  /** A client whose unsent data passes this is cut off (it reconnects with `since`) rather than buffered without bound. */
  maxBufferedBytes?: number;
}

const WsQuery = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  /** The run id of the snapshot the client's `since` came from; another run's numbers mean nothing here. */
  run: z.string().max(64).optional(),
});

/**
 * /ws: a snapshot (or the missed events when `?since=` is still in the replay buffer and, with
 * `&run=`, of this daemon run), then every
 * event as it happens. The upgrade request passes the same Host/Origin/token guards as REST,
 * since it is an ordinary GET until upgraded.
 */
export function registerWs(app: FastifyInstance, deps: WsDeps): void {
  const limit = deps.maxBufferedBytes ?? 1024 * 1024;
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
      const send = (e: BusEvent | Record<string, unknown>) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > limit) {
          socket.close(1013, 'Too slow: reconnect with ?since= to catch up');
          return;
        }
        socket.send(JSON.stringify(e));
      };
      const sameRun = run === undefined || run === deps.events.runId;
      const missed = since === undefined || !sameRun ? undefined : deps.events.since(since);
      if (missed) missed.forEach(send);
      else send({ seq: deps.events.lastSeq, type: 'snapshot', at: new Date().toISOString(), data: { ...deps.snapshot(), run_id: deps.events.runId } });
      const unsubscribe = deps.events.subscribe(send);
      socket.on('close', unsubscribe);
      socket.on('error', unsubscribe);
    },
  });
}

/** 1001 "going away" tells clients the daemon stopped on purpose; a client that does not answer the close is cut off. */
export async function closeWebSockets(app: FastifyInstance, waitMs = 2_000): Promise<void> {
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

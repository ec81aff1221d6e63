/**
 * HTTP/1.1 straight on a socket, for bench clients: requests built once as bytes, answers split off a
 * keep-alive connection by Content-Length (what Fastify and the bench's bare servers send). Node's
 * own client spends half a millisecond of CPU a request, on the same two cores as the server
 * measured, and more after a pause; Lightroom's client is native code, so the bench's should cost
 * next to nothing too.
 */
import { connect, type Socket } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const LENGTH = /\r\ncontent-length: *(\d+)/i;

/** A request's bytes: method, path and a JSON body, with the Host of `url`. */
export function requestBytes(url: URL, method: string, path: string, body: string): Buffer {
  const bytes = Buffer.from(body);
  const head = `${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), bytes]);
}

/** Calls `answer` with the status and body of each answer the socket receives, in order. */
export function onAnswers(socket: Socket, answer: (status: number, body: Buffer) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const end = buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const length = LENGTH.exec(head)?.[1];
      if (length === undefined) throw new Error(`bench client: an answer without Content-Length: ${head}`);
      if (buf.length < end + 4 + Number(length)) return;
      const body = buf.subarray(end + 4, end + 4 + Number(length));
      buf = buf.subarray(end + 4 + Number(length));
      answer(Number(head.slice(9, 12)), body);
    }
  });
}

/** A keep-alive connection: one request at a time, each resolving to its answer's status and body. */
export interface RawConnection {
  send(request: Buffer): Promise<{ status: number; body: Buffer }>;
  close(): void;
}

export async function rawConnection(url: URL): Promise<RawConnection> {
  const socket = connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let waiting: ((a: { status: number; body: Buffer }) => void) | undefined;
  onAnswers(socket, (status, body) => waiting?.({ status, body }));
  return {
    send: (request) =>
      new Promise((resolve) => {
        waiting = resolve;
        socket.write(request);
      }),
    close: () => socket.destroy(),
  };
}

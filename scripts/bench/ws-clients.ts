/**
 * The fan-out bench's clients, in their own process so that the server's event loop is measured
 * alone: `n` WebSocket clients of `url`, "ready" once each has its first message (the snapshot),
 * then the count of messages received and the worst publish-to-receipt lag (from each event's `at`)
 * once `expected` more reached every client. A WebSocket client library would spend more per
 * message than the server does (parsing, UTF-8 checks, an event per message), and the lag would
 * measure the clients' backlog; these read the frames straight off the socket instead.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const [url, n, expected] = [new URL(process.argv[2] as string), Number(process.argv[3]), Number(process.argv[4])];
const AT = Buffer.from('"at":"');

let received = 0;
let maxLag = 0;
const sockets: Socket[] = [];

function client(onFirst: () => void): void {
  const socket = connect(Number(url.port), url.hostname);
  sockets.push(socket);
  socket.setNoDelay(true);
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buf: Buffer = Buffer.alloc(0);
  let upgraded = false;
  let first = true;
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!buf.subarray(0, 12).toString().includes(' 101')) throw new Error(`no upgrade: ${buf.subarray(0, end).toString()}`);
      upgraded = true;
      buf = buf.subarray(end + 4);
    }
    const now = Date.now();
    let at = 0;
    // Server frames are unmasked; a progress event fits in one frame.
    while (buf.length - at >= 2) {
      const short = (buf[at + 1] as number) & 0x7f;
      const head = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (buf.length - at < head) break;
      const len = short === 126 ? buf.readUInt16BE(at + 2) : short === 127 ? Number(buf.readBigUInt64BE(at + 2)) : short;
      if (buf.length - at < head + len) break;
      if (((buf[at] as number) & 0x0f) === 1) {
        if (first) {
          first = false;
          onFirst();
        } else {
          const i = buf.indexOf(AT, at + head);
          maxLag = Math.max(maxLag, now - Date.parse(buf.toString('latin1', i + AT.length, i + AT.length + 24)));
          if (++received === n * expected) finish();
        }
      }
      at += head + len;
    }
    buf = buf.subarray(at);
  });
}

function finish(): void {
  process.send?.({ done: true, received, maxLag });
  for (const s of sockets) s.destroy();
  process.disconnect();
}

let ready = 0;
for (let i = 0; i < n; i++) client(() => ++ready === n && process.send?.({ ready: true }));

/**
 * The usage bench's HTTP client, in its own process so that the daemon's event loop is measured
 * alone: `requests` POSTs of /api/model/usage to `url`, each of `size` fresh records numbered from
 * `from`, over 10 keep-alive connections each sending its next request when the last is answered.
 * The requests are built, headers and all, before the clock starts and the answers are read straight
 * off the sockets: node's HTTP client would spend half a millisecond of CPU a request, on the same two
 * cores the daemon runs on (as ws-clients.ts does for /ws).
 */
import { connect, type Socket } from 'node:net';
import { usageRecord } from './usage-rows.js';

const [url, from, requests, size] = [new URL(process.argv[2] as string), Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const CONNECTIONS = 10;
const HEAD_END = Buffer.from('\r\n\r\n');
const LENGTH = /\r\ncontent-length: *(\d+)/i;

const wire = Array.from({ length: requests }, (_, r) => {
  const records = Array.from({ length: size }, (_, k) => usageRecord(from + r * size + k));
  const body = Buffer.from(JSON.stringify(size === 1 ? records[0] : records));
  const head = `POST /api/model/usage HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
});

let sent = 0;
let errors = 0;

/** Sends requests on one keep-alive connection, one at a time, until none are left. */
function connection(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let done = false;
    socket.on('error', reject);
    socket.once('close', () => done || reject(new Error('the daemon closed a connection before the last answer')));
    let buf: Buffer = Buffer.alloc(0);
    const next = () => {
      if (sent >= requests) {
        done = true;
        socket.end();
        resolve();
        return;
      }
      socket.write(wire[sent++] as Buffer);
    };
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const end = buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const length = Number(LENGTH.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      if (head.slice(9, 12) !== '200') errors++;
      buf = buf.subarray(end + 4 + length);
      next();
    });
    socket.once('connect', next);
  });
}

// The daemon's process starts counting its CPU time on "ready", then says "go".
process.send?.({ ready: true });
await new Promise((resolve) => process.once('message', resolve));
const t0 = performance.now();
await Promise.all(Array.from({ length: CONNECTIONS }, connection));
const seconds = (performance.now() - t0) / 1000;
process.send?.({ rps: ((requests - errors) * size) / seconds, errors, next: from + requests * size });
process.disconnect();

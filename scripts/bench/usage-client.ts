/**
 * The usage bench's HTTP client, in its own process so that the daemon's event loop is measured
 * alone: `requests` POSTs of /api/model/usage to `url`, each of `size` fresh records numbered from
 * `from`, over 10 keep-alive connections each sending its next request when the last is answered.
 * The requests are built, headers and all, before the clock starts and the answers are read straight
 * off the sockets: node's HTTP client would spend half a millisecond of CPU a request, on the same two
 * cores the daemon runs on (as ws-clients.ts does for /ws).
 */
import { connect, type Socket } from 'node:net';
import { onAnswers, requestBytes } from './raw-http.js';
import { usageRecord } from './usage-rows.js';

const [url, from, requests, size] = [new URL(process.argv[2] as string), Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const CONNECTIONS = 10;

const wire = Array.from({ length: requests }, (_, r) => {
  const records = Array.from({ length: size }, (_, k) => usageRecord(from + r * size + k));
  return requestBytes(url, 'POST', '/api/model/usage', JSON.stringify(size === 1 ? records[0] : records));
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
    const next = () => {
      if (sent >= requests) {
        done = true;
        socket.end();
        resolve();
        return;
      }
      socket.write(wire[sent++] as Buffer);
    };
    onAnswers(socket, (status) => {
      if (status !== 200) errors++;
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

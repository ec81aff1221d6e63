/**
 * The usage bench's HTTP client, in its own process so that the daemon's event loop is measured
 * alone: `requests` POSTs of /api/model/usage to `url`, each of `size` fresh records numbered from
 * `from`, over 10 keep-alive connections each sending its next request when the last is answered.
 * The bodies are built before the clock starts, so the client spends only what sending costs.
 */
import { Agent, request } from 'node:http';
import { usageRecord } from './usage-rows.js';

const [url, from, requests, size] = [process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];

const agent = new Agent({ keepAlive: true, maxSockets: 10 });
const target = new URL('/api/model/usage', url);
const bodies = Array.from({ length: requests }, (_, r) => {
  const records = Array.from({ length: size }, (_, k) => usageRecord(from + r * size + k));
  return Buffer.from(JSON.stringify(size === 1 ? records[0] : records));
});

const post = (body: Buffer) =>
  new Promise<number>((resolve, reject) => {
    const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });

// The daemon's process starts counting its CPU time on "ready", then says "go".
process.send?.({ ready: true });
await new Promise((resolve) => process.once('message', resolve));
let sent = 0;
let errors = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (sent < requests) {
      const body = bodies[sent++] as Buffer;
      if ((await post(body).catch(() => 0)) !== 200) errors++;
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
agent.destroy();
process.send?.({ rps: ((requests - errors) * size) / seconds, errors, next: from + requests * size });
process.disconnect();

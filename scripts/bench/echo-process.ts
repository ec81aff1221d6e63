/**
 * A bare node:http server in a process of its own, the floor under any daemon: it answers every
 * request, once its body is in, with `bytes` (argv[2]) of JSON. Says its address once listening,
 * and closes when told.
 */
import { createServer } from 'node:http';

const answer = JSON.stringify({ padding: 'x'.repeat(Math.max(0, Number(process.argv[2]) - 15)) });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) }).end(answer));
});
server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }));
process.once('message', () => {
  server.closeAllConnections();
  server.close(() => process.disconnect());
});

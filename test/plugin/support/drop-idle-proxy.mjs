// A stand-in for a daemon that drops idle keep-alive connections: forwards every request to the
// daemon at argv[2], and closes a connection once it has been idle for argv[3] ms (20 by default)
// — a keep-alive timeout far shorter than the daemon's own. A client that reuses a connection
// after that loses its request. Prints {"url": ...} when listening; answers {"dropped": n} to
// each line on stdin; stops when its stdin closes, so a spec that dies leaves none behind.
import http from 'node:http';

const target = new URL(process.argv[2]);
const idleMs = Number(process.argv[3] ?? 20);
let dropped = 0;

const idleTimers = new Map();

const server = http.createServer((req, res) => {
  clearTimeout(idleTimers.get(req.socket));
  res.on('finish', () => {
    idleTimers.set(req.socket, setTimeout(() => {
      dropped += 1;
      req.socket.destroy();
    }, idleMs));
  });
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      const headers = { ...answer.headers };
      delete headers.connection;
      delete headers['keep-alive'];
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.on('connection', (socket) => socket.on('close', () => {
  clearTimeout(idleTimers.get(socket));
  idleTimers.delete(socket);
}));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}` }) + '\n');
});

process.stdin.on('data', () => process.stdout.write(JSON.stringify({ dropped }) + '\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

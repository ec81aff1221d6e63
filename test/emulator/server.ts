import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Settings } from './context.js';
import { FaultBook } from './faults.js';
import { DEFAULT_LIBRARY } from './library.js';
import { Reply } from './reply.js';
import { ROUTES } from './routes.js';
import { nameKey } from './names.js';
import { EmulatorState } from './state.js';
import type { EmulatorOptions, Fault, LineFault, LoggedRequest, OllamaEmulator } from './types.js';
import { sleep } from './util.js';

/**
 * A real HTTP server on 127.0.0.1 that answers like an Ollama daemon. stop() refuses connections
 * (Ollama down) but keeps models and partial downloads, start() comes back on the same port,
 * close() ends it for good. Both tear down open sockets, so a hung or stalled request never
 * keeps a test alive.
 */
export async function startOllamaEmulator(options: EmulatorOptions = {}): Promise<OllamaEmulator> {
  const state = new EmulatorState(options.library ?? DEFAULT_LIBRARY);
  for (const name of options.installed ?? []) state.install(name);
  const settings: Settings = {
    pullBytesPerSecond: options.pullBytesPerSecond ?? 1e9,
    pullTickMs: options.pullTickMs ?? 60,
    verifyBytesPerSecond: options.verifyBytesPerSecond ?? 1e9,
    pullRequires: keyed(options.pullRequires),
    generateLatencyMs: options.generateLatencyMs ?? 0,
    loadLatencyMs: options.loadLatencyMs ?? 0,
    unloadLatencyMs: options.unloadLatencyMs ?? 50,
    version: options.version ?? '0.12.6',
    vramBytes: options.vramBytes ?? 8 * 1024 ** 3,
    responder: options.responder,
    eyes: options.eyes,
  };
  const faults = new FaultBook();
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  let port = options.port ?? 0;
  let server: http.Server | undefined;
  let running = new AbortController();
  let closedForGood = false;

  const listen = async (): Promise<void> => {
    const s = http.createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ error: `emulator bug: ${String(err)}` }));
        } else res.destroy();
      });
    });
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        resolve();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
    running = new AbortController();
  };

  const halt = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    running.abort();
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    // Runners are processes of the daemon: they die with it, unlike files on disk.
    state.unloadAll();
    await closed;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const raw = await readBody(req);
    const parsed = parseJson(raw);
    requests.push({ method, path, body: parsed.ok ? parsed.value : raw });

    const entry = ROUTES[path];
    const handler = entry?.methods[method];
    if (!entry || !handler) {
      // Gin's plain-text answers for an unknown path and for a known path with the wrong method.
      const status = entry ? 405 : 404;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(entry ? '405 method not allowed' : '404 page not found');
      return;
    }

    const fault = faults.take(entry.route);
    if (fault?.kind === 'status') {
      const error = fault.error ?? (http.STATUS_CODES[fault.status] ?? 'error').toLowerCase();
      res.writeHead(fault.status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error }));
      return;
    }
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'delay' && !(await sleep(fault.ms, abort.signal))) return;

    // Ollama keeps writing progress through a stalled download, so on a pull a stall stops the bytes, not the lines.
    const pullStall = entry.route === 'pull' && fault?.kind === 'stall' ? fault : undefined;
    const reply = new Reply(res, abort.signal, isLineFault(fault) && !pullStall ? fault : undefined);
    if (!parsed.ok) return reply.json(400, { error: parsed.error });
    await handler({
      state, settings, reply, signal: abort.signal, serverSignal: running.signal, body: parsed.value,
      ...(pullStall ? { pullStall: () => reply.sent >= pullStall.afterLines } : {}),
    });
  }

  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    install: (name) => void state.install(name),
    publishUpdate: (name) => state.publishUpdate(name),
    uninstall: (name) => void state.uninstall(name),
    isInstalled: (name) => state.findInstalled(name) !== undefined,
    isLoaded: (name) => state.findLoaded(name) !== undefined,
    blobBytes: (name) => {
      const model = state.inLibrary(name);
      if (!model) throw new Error(`ollama emulator: '${name}' is not in the emulator's library`);
      return Object.fromEntries(model.layers.map((l) => [l.digest, state.blobs.get(l.digest) ?? 0]));
    },
    fault: (route, fault) => faults.set(route, fault),
    clearFaults: () => faults.clear(),
    configure: (changes) => {
      for (const [key, value] of Object.entries(changes)) {
        if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = key === 'pullRequires' ? keyed(value as Record<string, string>) : value;
      }
    },
    stop: halt,
    start: async () => {
      if (closedForGood) throw new Error('ollama emulator: start() after close()');
      if (!server) await listen();
    },
    close: async () => {
      closedForGood = true;
      await halt();
    },
  };
}

function keyed(requires: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(requires ?? {}).map(([name, version]) => [nameKey(name), version]));
}

function isLineFault(fault: Fault | undefined): fault is LineFault {
  return fault !== undefined && 'afterLines' in fault;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Go's encoding/json wording, which is what Ollama passes back for a body it cannot bind. */
function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    const first = raw.trim()[0] ?? '';
    if ('{["'.includes(first)) return { ok: false, error: 'unexpected EOF' };
    return { ok: false, error: `invalid character '${first}' looking for beginning of value` };
  }
}

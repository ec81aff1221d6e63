/**
 * A real daemon against the Ollama emulator, as a separate process for clients in other languages
 * (the Lua plugin's busted specs). It also takes commands on stdin while it runs, so a spec can make
 * Ollama fail halfway through a batch.
 * Prints one JSON line `{"url", "ollama_url", "data_dir"}` when ready; then each command line gets one answer
 * line `{"ok":true}` (or `{"ok":false,"error"}`); it stops when stdin closes or a signal arrives.
 *
 *   {"fault": {"route": "chat", "fault": {"kind": "status", "status": 500, "error": "boom", "times": 1}}}
 *   {"clearFaults": true}
 *   {"malformedMarker": "junmai-malformed"}   the model answers unusable text for images whose bytes contain it
 *   {"latencyMs": 200}                         each generate/chat takes this long
 *   {"ollama": "stop" | "start"}               Ollama goes away (connections refused) or comes back
 *   {"eyes": {"gemma3:4b": {}, "llava:7b": {"invert": true}}}   those models judge what the image shows (emulator/eyes.ts)
 *   {"answer": {"rating": 5, "keywords": ["dog"], ...} | null}   every model answers this JSON for every image (null: as before)
 *
 *   node --import tsx test/support/serve-with-emulator.ts [--installed gemma3:4b,llama3.1:8b] [--bytes-per-second N]
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Eyes, Fault, FaultRoute, GenerateInput } from '../emulator/index.js';
import { startTestDaemon } from './daemon.js';

const { values } = parseArgs({
  options: {
    installed: { type: 'string', default: '' },
    'bytes-per-second': { type: 'string', default: String(4 * 1024 * 1024) },
  },
});

let marker: string | undefined;
let answer: string | undefined;
const responder = (input: GenerateInput): string | undefined => {
  if (marker === undefined) return answer;
  const hit = input.images.some((b64) => Buffer.from(b64, 'base64').includes(marker as string));
  return hit ? 'Sorry, I cannot rate this photo.' : answer;
};

const t = await startTestDaemon({
  installed: values.installed ? values.installed.split(',') : [],
  emulator: { pullBytesPerSecond: Number(values['bytes-per-second']), responder },
});
await t.req('POST', '/api/model/sync', { body: {} });
process.stdout.write(JSON.stringify({ url: t.url, ollama_url: t.emu.url, data_dir: t.dataDir }) + '\n');

interface Command {
  fault?: { route: FaultRoute; fault: Fault };
  clearFaults?: boolean;
  malformedMarker?: string | null;
  latencyMs?: number;
  ollama?: 'stop' | 'start';
  eyes?: Record<string, Eyes>;
  answer?: Record<string, unknown> | null;
}

async function apply(c: Command): Promise<void> {
  if (c.fault) t.emu.fault(c.fault.route, c.fault.fault);
  if (c.clearFaults) t.emu.clearFaults();
  if (c.malformedMarker !== undefined) marker = c.malformedMarker ?? undefined;
  if (c.latencyMs !== undefined) t.emu.configure({ generateLatencyMs: c.latencyMs });
  if (c.eyes !== undefined) t.emu.configure({ eyes: c.eyes });
  if (c.answer !== undefined) answer = c.answer === null ? undefined : JSON.stringify(c.answer);
  if (c.ollama === 'stop') await t.emu.stop();
  if (c.ollama === 'start') await t.emu.start();
}

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void t.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const lines = createInterface({ input: process.stdin });
// One command at a time, answered in order.
let queue = Promise.resolve();
lines.on('line', (line) => {
  if (line.trim() === '') return;
  queue = queue.then(async () => {
    try {
      await apply(JSON.parse(line) as Command);
      process.stdout.write('{"ok":true}\n');
    } catch (err) {
      process.stdout.write(JSON.stringify({ ok: false, error: (err as Error).message }) + '\n');
    }
  });
});
lines.on('close', stop);

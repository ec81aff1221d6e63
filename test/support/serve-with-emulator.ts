/**
 * A real daemon against the Ollama emulator, as a separate process for clients in other languages
 * (the Lua plugin's busted specs). Prints one JSON line `{"url", "ollama_url", "data_dir"}` when ready,
 * then serves until stdin closes or a signal arrives.
 *
 *   node --import tsx test/support/serve-with-emulator.ts [--installed gemma3:4b,llama3.1:8b] [--bytes-per-second N]
 */
import { parseArgs } from 'node:util';
import { startTestDaemon } from './daemon.js';

const { values } = parseArgs({
  options: {
    installed: { type: 'string', default: '' },
    'bytes-per-second': { type: 'string', default: String(4 * 1024 * 1024) },
  },
});

const t = await startTestDaemon({
  installed: values.installed ? values.installed.split(',') : [],
  emulator: { pullBytesPerSecond: Number(values['bytes-per-second']) },
});
await t.req('POST', '/api/model/sync', { body: {} });
process.stdout.write(JSON.stringify({ url: t.url, ollama_url: t.emu.url, data_dir: t.dataDir }) + '\n');

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void t.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

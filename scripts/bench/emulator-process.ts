/**
 * The Ollama emulator in a process of its own, as Ollama is on a photographer's machine, so that a
 * bench's timings are not the emulator's timers waiting behind the daemon on one event loop: every
 * generation takes `latency` ms (argv[2]) and answers `answer` (argv[3]) at once, instead of the
 * emulator's own answer, whose hashing of each image would add time that measures nothing here.
 * Says its address once listening, and closes when told.
 */
import { startOllamaEmulator } from '../../test/emulator/index.js';

const [latency, answer, installed] = [Number(process.argv[2]), process.argv[3] as string, (process.argv[4] as string).split(',')];
const emu = await startOllamaEmulator({ installed, generateLatencyMs: latency, responder: () => answer });
process.send?.({ url: emu.url });
process.once('message', () => {
  void emu.close().then(() => process.disconnect());
});

/**
 * What the Ollama emulator's eyes see in image files (test/emulator/eyes.ts), for the plug-in's
 * specs: they give the photographer's stars, flags and keywords the same judgement, so that
 * agreement with a model is measured rather than chance. Prints one JSON line per file:
 * {"quality": 1-5, "flag": "pick" | "reject" | "none", "subjects": [..]}.
 *
 *   node --import tsx test/plugin/support/perceive.ts photo1.jpg photo2.jpg
 */
import { readFileSync } from 'node:fs';
import { flagFor, perceivedQuality, perceivedSubjects } from '../../emulator/index.js';

for (const path of process.argv.slice(2)) {
  const base64 = readFileSync(path).toString('base64');
  const quality = perceivedQuality(base64);
  process.stdout.write(JSON.stringify({ quality, flag: flagFor(quality), subjects: perceivedSubjects(base64) }) + '\n');
}

/** An Ollama stand-in for tests: a real HTTP server speaking Ollama's wire protocol. */
export { startOllamaEmulator } from './server.js';
export { DEFAULT_LIBRARY } from './library.js';
export { sampleFromSchema } from './schema-sample.js';
export { flagFor, perceivedQuality, perceivedSubjects, type Eyes } from './eyes.js';
export type {
  EmulatedLayer,
  EmulatedModel,
  EmulatorOptions,
  Fault,
  FaultRoute,
  GenerateInput,
  LoggedRequest,
  ModelDetails,
  OllamaEmulator,
} from './types.js';

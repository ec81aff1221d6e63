/**
 * What a failed photo means for a comparison. Most failures are the photo's or the model's and
 * are recorded against that photo; a few say the run itself cannot go on (Ollama went away, the
 * daemon is stopping) or that the model cannot take part at all, and recording them photo by
 * photo would only fill the results with the same failure.
 */
const STOPS_THE_RUN: ReadonlySet<string> = new Set(['OLLAMA_UNREACHABLE', 'BUSY', 'INTERRUPTED', 'CLIENT_CLOSED', 'DISK_FULL', 'STORAGE_ERROR']);
const RULES_OUT_THE_MODEL: ReadonlySet<string> = new Set(['MODEL_NOT_INSTALLED', 'MODEL_NOT_VISION', 'MODEL_NOT_FOUND', 'INVALID_MODEL_NAME', 'NO_CURRENT_MODEL']);

export type Outcome = 'record' | 'skip_model' | 'stop_run';

export function outcomeOf(code: string): Outcome {
  if (STOPS_THE_RUN.has(code)) return 'stop_run';
  if (RULES_OUT_THE_MODEL.has(code)) return 'skip_model';
  return 'record';
}

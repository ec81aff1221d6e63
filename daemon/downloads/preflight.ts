import { AppError } from '../errors.js';
import type { ModelManager } from '../models/manager.js';
import { ollamaDisk } from './disk.js';

export interface PreflightOptions {
  manager: ModelManager;
  ollamaUrl: string;
  ollamaModelsDir: string | undefined;
  minFreeDiskBytes: number;
}

/** Disk space in GB of 10^9 bytes, as `ollama list` and the download sizes show it. */
const gb = (bytes: number) => (bytes / 1e9).toFixed(1);

/**
 * Ollama checks neither disk space nor whether a model can run before it pulls gigabytes, so we
 * do, for models whose size we know: refuse what cannot fit on the disk (only when Ollama is on
 * this machine, or its disk is not ours to measure), and what cannot run here even with CPU
 * offload unless the photographer insists (`force`).
 */
export async function preflightDownload(o: PreflightOptions, model: string, expectedBytes: number | null, force: boolean): Promise<void> {
  if (expectedBytes === null) return;
  const disk = await ollamaDisk(o.ollamaUrl, o.ollamaModelsDir);
  if (disk && disk.free_bytes - expectedBytes < o.minFreeDiskBytes) {
    const { free_bytes: free, models_dir: dir } = disk;
    throw new AppError('INSUFFICIENT_DISK', `${model} needs ${gb(expectedBytes)} GB but the disk holding Ollama's models (${dir}) has ${gb(free)} GB free, and Junmai keeps ${gb(o.minFreeDiskBytes)} GB free. Free some space or delete a model you no longer use.`, { model, needed_bytes: expectedBytes, free_bytes: free, models_dir: dir });
  }
  if (force) return;
  const fit = await o.manager.checkCompatibility({ model });
  if (fit.fit === 'does_not_fit') {
    throw new AppError('WONT_FIT', `${fit.message} To download it anyway, send "force": true.`, { model, estimate: fit.estimate, available: fit.available });
  }
}

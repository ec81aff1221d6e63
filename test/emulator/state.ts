import { createHash } from 'node:crypto';
import { modelSize } from './library.js';
import { caseSensitiveRegistry, displayName, nameKey } from './names.js';
import type { EmulatedLayer, EmulatedModel } from './types.js';

export interface InstalledModel {
  /** The tag it was pulled as, e.g. `gemma3:latest` even though the manifest is gemma3:4b's. */
  name: string;
  model: EmulatedModel;
  modifiedAt: Date;
}

export interface LoadedModel {
  name: string;
  model: EmulatedModel;
  contextLength: number;
  expiresAt: number;
  /** Told to unload: a request in the meantime uses it, and it goes all the same (server/sched.go). */
  unloading?: true;
}

/**
 * What an Ollama server keeps: the registry it can pull from, the manifests it has, the blobs on
 * disk (partial ones included, which is what makes a cancelled pull resumable) and the runners
 * in memory. Survives stop()/start() like a data directory; only the runners die with the server.
 */
export class EmulatorState {
  private readonly library = new Map<string, EmulatedModel>();
  private readonly installed = new Map<string, InstalledModel>();
  /** Bytes on disk per digest; a blob is complete when this equals the layer's size. */
  readonly blobs = new Map<string, number>();
  private readonly loaded = new Map<string, LoadedModel>();

  constructor(library: EmulatedModel[]) {
    for (const model of library) {
      for (const name of [model.name, ...(model.aliases ?? [])]) this.library.set(nameKey(name), model);
    }
  }

  inLibrary(name: string): EmulatedModel | undefined {
    return this.library.get(nameKey(name));
  }

  /** What a pull finds: a registry other than Ollama's answers only to the exact spelling. */
  inRegistry(name: string): EmulatedModel | undefined {
    const model = this.inLibrary(name);
    if (!model || !caseSensitiveRegistry(name)) return model;
    const spelled = displayName(name);
    return [model.name, ...(model.aliases ?? [])].some((n) => displayName(n) === spelled) ? model : undefined;
  }

  findInstalled(name: string): InstalledModel | undefined {
    return this.installed.get(nameKey(name));
  }

  listInstalled(): InstalledModel[] {
    return [...this.installed.values()].sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
  }

  /**
   * The registry publishes a new version: new weights and a new manifest under the same names.
   * What is installed keeps its manifest until it is pulled again.
   */
  publishUpdate(name: string): void {
    const old = this.inLibrary(name);
    if (!old) throw new Error(`ollama emulator: '${name}' is not in the emulator's library`);
    const next = (label: string) => createHash('sha256').update(`${label}/next`).digest('hex');
    const model: EmulatedModel = {
      ...old,
      digest: next(old.digest),
      layers: old.layers.map((l, i) => (i === 0 ? { ...l, digest: `sha256:${next(l.digest)}` } : l)),
    };
    for (const n of [old.name, ...(old.aliases ?? [])]) this.library.set(nameKey(n), model);
  }

  /** Blobs of the manifest a name had before a pull that no installed manifest uses any more: what Ollama prunes after it. */
  unusedAfterPull(previous: InstalledModel | undefined): EmulatedLayer[] {
    return previous ? this.unused(previous.model.layers) : [];
  }

  removeBlobs(layers: EmulatedLayer[]): void {
    for (const layer of layers) this.blobs.delete(layer.digest);
  }

  private unused(layers: EmulatedLayer[]): EmulatedLayer[] {
    const inUse = new Set([...this.installed.values()].flatMap((m) => m.model.layers.map((l) => l.digest)));
    return layers.filter((l) => !inUse.has(l.digest));
  }

  /** Writes the manifest under the requested tag; every blob is complete from now on. */
  install(name: string): InstalledModel {
    const model = this.inLibrary(name);
    if (!model) throw new Error(`ollama emulator: '${name}' is not in the emulator's library`);
    for (const layer of model.layers) this.blobs.set(layer.digest, layer.size);
    const key = nameKey(name);
    // Ollama keeps the spelling it was given (the manifest's path) and lists the model under it.
    const entry = { name: displayName(name), model, modifiedAt: new Date() };
    this.installed.set(key, entry);
    return entry;
  }

  /** Removes the manifest and, as Ollama does, the complete blobs no other manifest uses. */
  uninstall(name: string): boolean {
    const key = nameKey(name);
    const entry = this.installed.get(key);
    if (!entry) return false;
    this.installed.delete(key);
    this.loaded.delete(key);
    for (const layer of this.unused(entry.model.layers)) {
      if (this.blobs.get(layer.digest) === layer.size) this.blobs.delete(layer.digest);
    }
    return true;
  }

  findLoaded(name: string, now = Date.now()): LoadedModel | undefined {
    const key = nameKey(name);
    const runner = this.loaded.get(key);
    if (runner && runner.expiresAt <= now) {
      this.loaded.delete(key);
      return undefined;
    }
    return runner;
  }

  listLoaded(now = Date.now()): LoadedModel[] {
    for (const [key, runner] of this.loaded) if (runner.expiresAt <= now) this.loaded.delete(key);
    return [...this.loaded.values()].sort((a, b) => b.expiresAt - a.expiresAt);
  }

  load(entry: InstalledModel, contextLength: number, expiresAt: number): LoadedModel {
    const dying = this.loaded.get(nameKey(entry.name));
    if (dying?.unloading && dying.contextLength === contextLength) return dying;
    const runner = { name: entry.name, model: entry.model, contextLength, expiresAt };
    this.loaded.set(nameKey(entry.name), runner);
    return runner;
  }

  /** Expires the runner: still listed (and used by requests already under way) for afterMs, then gone. */
  unload(name: string, afterMs = 0): void {
    const key = nameKey(name);
    const runner = this.loaded.get(key);
    if (!runner) return;
    if (afterMs <= 0) this.loaded.delete(key);
    else Object.assign(runner, { unloading: true, expiresAt: Math.min(runner.expiresAt, Date.now() + afterMs) });
  }

  unloadAll(): void {
    this.loaded.clear();
  }
}

/** Weights plus an f16 KV cache for the context, plus compute-graph slack: what /api/ps reports. */
export function memoryFootprint(model: EmulatedModel, contextLength: number): number {
  const info = model.modelInfo;
  const arch = String(info['general.architecture']);
  const num = (key: string): number => Number(info[`${arch}.${key}`] ?? 0);
  const kv = 2 * num('block_count') * num('attention.head_count_kv') * num('attention.key_length') * contextLength * 2;
  const weights = modelSize(model);
  return Math.round(weights + kv + weights * 0.08);
}

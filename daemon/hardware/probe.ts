/** The daemon's view of this machine's memory for models; see policy.ts for the rules. */
import { readSystemFacts } from './facts.js';
import { hardwareFromFacts } from './policy.js';
import type { HardwareInfo, HardwareProbe, SystemFacts } from './types.js';

export type { GpuInfo, GraphicsControllerFacts, HardwareInfo, HardwareProbe, MemorySource, SystemFacts } from './types.js';
export { hardwareFromFacts, osReserveBytes } from './policy.js';
export { readSystemFacts } from './facts.js';

/** graphics() spawns nvidia-smi/lspci/PowerShell and takes seconds, so answers are reused this long. */
export const DEFAULT_PROBE_CACHE_MS = 60_000;

export interface SystemHardwareProbeOptions {
  readFacts?: () => Promise<SystemFacts>;
  cacheMs?: number;
  now?: () => number;
}

export class SystemHardwareProbe implements HardwareProbe {
  readonly #readFacts: () => Promise<SystemFacts>;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #cached: { info: HardwareInfo; at: number } | null = null;
  #inflight: Promise<HardwareInfo> | null = null;

  constructor(opts: SystemHardwareProbeOptions = {}) {
    this.#readFacts = opts.readFacts ?? (() => readSystemFacts());
    this.#cacheMs = opts.cacheMs ?? DEFAULT_PROBE_CACHE_MS;
    this.#now = opts.now ?? Date.now;
  }

  fresh(): HardwareInfo | undefined {
    return this.#cached && this.#now() - this.#cached.at < this.#cacheMs ? this.#cached.info : undefined;
  }

  probe(): Promise<HardwareInfo> {
    const cached = this.fresh();
    if (cached) return Promise.resolve(cached);
    // Callers that arrive while a probe runs share it rather than spawning nvidia-smi again.
    if (this.#inflight) return this.#inflight;
    const run = (async () => {
      const facts = await this.#readFacts();
      const at = this.#now();
      const info = hardwareFromFacts(facts, new Date(at));
      this.#cached = { info, at };
      return info;
    })();
    this.#inflight = run;
    // A failed read is not cached: the next caller tries again.
    const clear = () => {
      if (this.#inflight === run) this.#inflight = null;
    };
    run.then(clear, clear);
    return run;
  }
}

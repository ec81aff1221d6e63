/** What the daemon reports about the machine, and the raw facts it is computed from. */

export interface GpuInfo {
  vendor: string;
  model: string;
  vram_total_bytes: number | null;
  /** Only known when nvidia-smi answered. */
  vram_free_bytes: number | null;
  /** A discrete card with its own memory (not an iGPU sharing system RAM). */
  dedicated: boolean;
}

export type MemorySource = 'dedicated_vram' | 'unified_memory' | 'system_ram';

export interface HardwareInfo {
  platform: NodeJS.Platform;
  arch: string;
  cpu: { brand: string; physical_cores: number; cores: number };
  ram_total_bytes: number;
  ram_available_bytes: number;
  gpus: GpuInfo[];
  memory_source: MemorySource;
  /** Memory usable for model layers on the accelerator (0 for CPU-only). */
  gpu_memory_bytes: number;
  /** System RAM usable for layers that do not fit on the GPU (CPU offload / CPU-only). */
  offload_memory_bytes: number;
  /** Sentences for a photographer. */
  notes: string[];
  probed_at: string;
}

export interface HardwareProbe {
  probe(): Promise<HardwareInfo>;
  /** What probe() would answer at once, without probing again; undefined when it would probe. */
  fresh?(): HardwareInfo | undefined;
}

/**
 * One controller as systeminformation's graphics() reports it. Units are MiB throughout.
 * memoryTotal/memoryFree exist only when nvidia-smi answered; otherwise `vram` comes from
 * the registry/WMI (Windows), lspci or clinfo (Linux) or system_profiler (macOS).
 */
export interface GraphicsControllerFacts {
  vendor: string;
  model: string;
  /** nvidia-smi's product name, when it answered. */
  name?: string;
  bus?: string;
  vram: number | null;
  vramDynamic: boolean;
  memoryTotal?: number;
  memoryFree?: number;
}

/** Exactly the subset of systeminformation's cpu()/mem()/graphics() output the policy reads. */
export interface SystemFacts {
  platform: NodeJS.Platform;
  arch: string;
  cpu: { brand: string; physicalCores: number; cores: number };
  mem: { total: number; available: number };
  /** `error` is set when graphics() failed or timed out; controllers is then empty. */
  graphics: { controllers: GraphicsControllerFacts[]; error?: string };
  /** macOS `sysctl iogpu.wired_limit_mb`; 0 or absent means the macOS default applies. */
  iogpuWiredLimitMb?: number | null;
}

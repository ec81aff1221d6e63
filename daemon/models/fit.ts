import type { z } from 'zod';
import type { ArchitectureFacts } from '../catalog/catalog.js';
import { estimateMemory, type MemoryEstimate } from '../catalog/estimate.js';
import type { HardwareInfo } from '../hardware/probe.js';
import type { Available as AvailableSchema, MemoryEstimateGb } from '../schemas/api.js';

export type Fit = 'fits_gpu' | 'fits_with_offload' | 'does_not_fit';

const GB = 1024 ** 3;
export const toGb = (bytes: number) => Number((bytes / GB).toFixed(2));
/** Rounded up to 0.1 GB, never down, so "fits" is never optimistic by rounding alone. */
export const ceilGb = (bytes: number) => Math.ceil(bytes / (GB / 10)) / 10;

export type Available = z.infer<typeof AvailableSchema>;

/** What the request says is free on the GPU, or what the hardware probe found. */
export function availableMemory(hw: HardwareInfo, requestedVramGb: number | undefined): Available {
  return {
    gpu_memory_gb: requestedVramGb ?? toGb(hw.gpu_memory_bytes),
    offload_memory_gb: toGb(hw.offload_memory_bytes),
    memory_source: requestedVramGb !== undefined ? 'dedicated_vram' : hw.memory_source,
    from: requestedVramGb !== undefined ? 'request' : 'hardware',
  };
}

/** The estimate as routes show it (schemas/api.ts MemoryEstimateGb). */
export type EstimateGb = z.infer<typeof MemoryEstimateGb>;

export function estimateToGb(e: MemoryEstimate): EstimateGb {
  return {
    total_gb: toGb(e.total_bytes),
    weights_gb: toGb(e.weights_bytes),
    kv_cache_gb: toGb(e.kv_cache_bytes),
    graph_gb: toGb(e.graph_bytes),
    vision_graph_gb: toGb(e.vision_graph_bytes),
    projector_gb: toGb(e.projector_bytes),
    layer_buffer_gb: toGb(e.layer_buffer_bytes),
    overhead_gb: toGb(e.overhead_bytes),
    context_length: e.context_length,
    num_parallel: e.num_parallel,
  };
}

/**
 * A model we know nothing of but its file size (a custom model Ollama could not describe):
 * assume a typical 7B-class layout scaled to the size, so KV cache and graph are not ignored.
 */
function guessedArchitecture(sizeBytes: number): ArchitectureFacts {
  const scale = Math.max(0.25, sizeBytes / (4.7 * GB));
  return {
    architecture: 'unknown',
    block_count: Math.round(32 * Math.sqrt(scale)),
    head_count_kv: 8,
    key_length: 128,
    value_length: 128,
    embedding_length: Math.round(4096 * Math.sqrt(scale)),
    projector_bytes: 0,
  };
}

export function estimateFor(
  model: { size_bytes: number; architecture: ArchitectureFacts | undefined },
  /** The daemon's JUNMAI_NUM_CTX unless the request names another. */
  opts: { context_length: number; num_parallel?: number | undefined },
): MemoryEstimate {
  return estimateMemory({
    size_bytes: model.size_bytes,
    architecture: model.architecture ?? guessedArchitecture(model.size_bytes),
    context_length: opts.context_length,
    num_parallel: opts.num_parallel ?? 1,
  });
}

export function fitOf(estimate: MemoryEstimate, available: Available): Fit {
  const need = estimate.total_bytes / GB;
  if (available.gpu_memory_gb > 0 && need <= available.gpu_memory_gb) return 'fits_gpu';
  if (need <= available.gpu_memory_gb + available.offload_memory_gb) return 'fits_with_offload';
  return 'does_not_fit';
}

export function fitMessage(name: string, fit: Fit, est: EstimateGb, available: Available): string {
  const need = `about ${est.total_gb} GB`;
  switch (fit) {
    case 'fits_gpu':
      return `${name} fits in the GPU's memory (needs ${need} of ${available.gpu_memory_gb} GB).`;
    case 'fits_with_offload':
      return available.gpu_memory_gb > 0
        ? `${name} needs ${need}, more than the GPU's ${available.gpu_memory_gb} GB: it runs with part of it on the CPU, several times slower.`
        : `${name} needs ${need} and runs on the CPU from system memory (${available.offload_memory_gb} GB usable): expect it to be slow.`;
    case 'does_not_fit':
      return `${name} needs ${need}, more than this computer can give it (${available.gpu_memory_gb} GB GPU + ${available.offload_memory_gb} GB system memory). Choose a smaller model.`;
  }
}

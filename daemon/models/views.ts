import type { ArchitectureFacts, CatalogEntry } from '../catalog/catalog.js';
import type { ModelView } from '../schemas/api.js';
import type { ModelRow } from '../store/models-repo.js';
import { isCloudModel } from './cloud.js';
import { ceilGb, estimateFor, type Fit } from './fit.js';
import type { ModelStats } from './statistics.js';

/** One model as the API shows it: the catalog's description merged with what Ollama reported. */
export interface KnownModel {
  name: string;
  entry: CatalogEntry | undefined;
  row: ModelRow | undefined;
}

export function capabilitiesOf(m: KnownModel): string[] {
  return m.row?.capabilities ?? m.entry?.capabilities ?? [];
}

/**
 * A model known not to see: Ollama described it and "vision" is not among its capabilities.
 * A model Ollama could not describe is given the benefit of the doubt; Ollama judges it.
 */
export function knownBlind(m: KnownModel): boolean {
  const caps = capabilitiesOf(m);
  return caps.length > 0 && !caps.includes('vision');
}

/** The sentence for a model that cannot look at photos, wherever it is refused or warned about. */
export function blindSentence(name: string): string {
  return `${name} cannot look at images, so it cannot evaluate photos. Choose a vision model such as gemma3:4b.`;
}

export function architectureOf(m: KnownModel): ArchitectureFacts | undefined {
  return m.entry?.architecture ?? (m.row?.architecture as ArchitectureFacts | null) ?? undefined;
}

/** Whether Ollama runs the model on ollama.com rather than on this computer. */
export function isRemote(m: KnownModel): boolean {
  return isCloudModel(m.name, m.row);
}

/** The context Ollama really gives the model: the one asked for, capped at the model's own maximum as Ollama caps it. */
export function effectiveContext(m: KnownModel, requested: number): number {
  const max = m.row?.context_length ?? m.entry?.context_length;
  return max ? Math.min(requested, max) : requested;
}

/** The download size; null for a cloud model, whose few hundred bytes on disk say nothing of the model. */
export function sizeOf(m: KnownModel): number | null {
  if (isRemote(m)) return null;
  return m.row?.installed && m.row.size_bytes ? m.row.size_bytes : (m.entry?.size_bytes ?? m.row?.size_bytes ?? null);
}

/**
 * GPU memory for one photo at the daemon's context length (JUNMAI_NUM_CTX), the same estimate the
 * fit check makes for the same model; null where nothing runs here (a cloud model) or its size is unknown.
 */
export function minVramGb(m: KnownModel, contextLength: number): number | null {
  const size = sizeOf(m);
  if (!size) return null;
  return ceilGb(estimateFor({ size_bytes: size, architecture: architectureOf(m) }, { context_length: effectiveContext(m, contextLength) }).total_bytes);
}

export function toView(m: KnownModel, currentModel: string | null, stats: ModelStats, contextLength: number, fit: Fit | null = null): ModelView {
  const { entry, row } = m;
  const caps = capabilitiesOf(m);
  const size = sizeOf(m);
  return {
    name: m.name,
    display_name: entry?.display_name ?? m.name,
    family: row?.family ?? entry?.family ?? null,
    source: entry ? 'catalog' : 'custom',
    purpose: entry?.purpose ?? null,
    capabilities: caps,
    vision: caps.includes('vision'),
    parameter_size: row?.parameter_size ?? entry?.parameter_size ?? null,
    parameter_count: entry?.parameter_count ?? null,
    quantization: row?.quantization ?? entry?.quantization ?? null,
    size_bytes: size,
    // Download sizes in decimal GB, as Ollama's library and `ollama list` show them; memory figures are in GiB.
    size_gb: size === null ? null : Number((size / 1e9).toFixed(2)),
    min_vram_gb: minVramGb(m, contextLength),
    fit,
    context_length: row?.context_length ?? entry?.context_length ?? null,
    min_ollama_version: entry?.min_ollama_version ?? null,
    description: entry?.description ?? 'A model installed in Ollama that is not in Junmai\'s catalog.',
    recommended_use: entry?.recommended_use ?? (caps.includes('vision') ? 'Can look at photos; untested by Junmai.' : 'Cannot look at photos (no vision capability).'),
    installed: row?.installed ?? false,
    remote_host: isRemote(m) ? (row?.remote_host ?? 'https://ollama.com:443') : null,
    digest: row?.digest ?? null,
    is_current: currentModel === m.name,
    usage_count: stats.count,
    avg_inference_time: stats.avg_inference_time,
    success_rate: stats.success_rate,
    last_used: stats.last_used,
  };
}

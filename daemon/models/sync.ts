import { findCatalogEntry } from '../catalog/catalog.js';
import { architectureFromShow } from '../catalog/estimate.js';
import type { Clock } from '../clock.js';
import type { OllamaGateway, ShowInfo } from '../ollama/gateway.js';
import { canonicalModelName } from '../ollama/names.js';
import { emptyModelRow, type ModelRow } from '../store/models-repo.js';
import type { Store } from '../store/store.js';

export interface SyncResult {
  installed: string[];
  added: string[];
  removed: string[];
}

function contextLengthOf(show: ShowInfo): number | null {
  const arch = show.modelInfo['general.architecture'];
  const v = typeof arch === 'string' ? show.modelInfo[`${arch}.context_length`] : undefined;
  return typeof v === 'number' && v > 0 ? v : null;
}

/**
 * Makes the store agree with Ollama: what is installed, its real size and digest, and (through
 * /api/show, only for models whose digest changed) capabilities, context length and architecture.
 * Ollama is asked everything first and the store is written in one transaction afterwards, so a
 * failure halfway leaves the previous picture intact.
 */
export async function syncWithOllama(store: Store, gateway: OllamaGateway, clock: Clock): Promise<SyncResult> {
  const listed = await gateway.list();
  const now = clock.now().toISOString();
  const fresh: ModelRow[] = [];
  for (const m of listed) {
    let name: string;
    try {
      name = canonicalModelName(m.name);
    } catch {
      continue; // Our grammar is Ollama's (names.ts), so only a name Ollama itself could not parse lands here.
    }
    const known = store.models.get(name);
    const row: ModelRow = { ...(known ?? emptyModelRow(name, findCatalogEntry(name) ? 'catalog' : 'custom')) };
    const changed = !known || known.digest !== m.digest || known.capabilities === null;
    Object.assign(row, {
      installed: true,
      size_bytes: m.size,
      digest: m.digest,
      family: m.family ?? row.family,
      parameter_size: m.parameterSize ?? row.parameter_size,
      quantization: m.quantization ?? row.quantization,
      modified_at: m.modifiedAt || row.modified_at,
      synced_at: now,
      remote_host: m.remoteHost ?? null,
    });
    if (changed) {
      try {
        const show = await gateway.show(m.name);
        row.capabilities = show.capabilities.length > 0 ? show.capabilities : row.capabilities;
        row.context_length = contextLengthOf(show) ?? row.context_length;
        const arch = architectureFromShow(
          { model_info: show.modelInfo, ...(show.projectorInfo ? { projector_info: show.projectorInfo } : {}), ...(show.tensors ? { tensors: show.tensors } : {}) },
          m.size,
        );
        row.architecture = (arch as unknown as Record<string, unknown> | undefined) ?? row.architecture;
      } catch {
        // A model Ollama lists but cannot describe stays listed with what /api/tags said.
      }
    }
    fresh.push(row);
  }
  const names = new Set(fresh.map((r) => r.name));
  const added: string[] = [];
  const removed: string[] = [];
  store.transaction(() => {
    for (const row of store.models.all()) {
      if (names.has(row.name) || !row.installed) continue;
      removed.push(row.name);
      const keep = row.source === 'catalog' || row.imported_usage_count !== null;
      if (keep) store.models.setInstalled(row.name, false);
      else store.models.delete(row.name);
    }
    for (const row of fresh) {
      if (!store.models.get(row.name)?.installed) added.push(row.name);
      store.models.upsert(row);
    }
  });
  return { installed: [...names].sort(), added: added.sort(), removed: removed.sort() };
}

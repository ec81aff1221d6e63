import { AppError } from '../errors.js';
import { ExportDocument, LegacyDocument, type ImportRequest } from '../schemas/api.js';
import { emptyModelRow } from '../store/models-repo.js';
import type { Store } from '../store/store.js';
import { resolveModelName } from './resolve.js';
import type { ModelStats } from './statistics.js';
import { blindSentence, knownBlind } from './views.js';

export const CURRENT_KEY = 'current_model';

interface PlannedModel {
  name: string;
  catalog: boolean;
  stats: { usage_count: number | null; avg_ms: number | null; success_rate: number | null; last_used: string | null } | undefined;
  meta: Partial<{ family: string | null; parameter_size: string | null; quantization: string | null; capabilities: string[] | null; context_length: number | null }>;
}

export interface ImportResult {
  format: 'junmai' | 'legacy';
  imported: string[];
  current_model: string | null;
  warnings: string[];
}

/**
 * Only models an import accepts are exported (catalog entries and models installed here), so that
 * whatever export produces, import takes back: usage recorded for a name Ollama never had stays in
 * the database.
 */
export function buildExport(store: Store, stats: Map<string, ModelStats>, exportedAt: Date): ExportDocument {
  const rows = new Map(store.models.all().map((r) => [r.name, r]));
  const names = [...new Set([...rows.keys(), ...stats.keys()])].filter((name) => importable(store, name)).sort();
  return {
    format: 'junmai-model-metadata',
    version: 1,
    exported_at: exportedAt.toISOString(),
    current_model: store.settings.get<string>(CURRENT_KEY) ?? null,
    models: names.map((name) => {
      const row = rows.get(name);
      const s = stats.get(name);
      const measured = s && s.count > 0;
      return {
        name,
        source: row?.source ?? (resolveModelName(name).entry ? 'catalog' : 'custom'),
        installed: row?.installed ?? false,
        family: row?.family ?? null,
        parameter_size: row?.parameter_size ?? null,
        quantization: row?.quantization ?? null,
        capabilities: row?.capabilities ?? null,
        context_length: row?.context_length ?? null,
        statistics: measured
          ? { usage_count: s.count, avg_ms: s.mean_ms, success_rate: s.success_rate, last_used: s.last_used }
          : {
              usage_count: row?.imported_usage_count ?? null,
              avg_ms: row?.imported_avg_ms ?? null,
              success_rate: row?.imported_success_rate ?? null,
              last_used: row?.imported_last_used ?? null,
            },
      };
    }),
  };
}

/** Picks the document's format and validates all of it against that format's schema. */
export function parseImportDocument(body: Record<string, unknown>): ImportRequest {
  if ('file_path' in body || 'path' in body) {
    throw new AppError('INVALID_IMPORT', 'Junmai does not read files named in a request. Send the exported document itself as the request body.');
  }
  const ours = 'format' in body;
  const parsed = (ours ? ExportDocument : LegacyDocument).safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'document'}: ${i.message}`);
  throw new AppError('INVALID_IMPORT', `The document was not imported, nothing was changed: it is not a valid ${ours ? 'Junmai export' : 'model_metadata.json'} (${problems.join('; ')}).`);
}

/** A name an import may hold: in the catalog, or installed in Ollama here. Anything else would be a phantom entry. */
function importable(store: Store, name: string): boolean {
  return resolveModelName(name).entry !== undefined || (store.models.get(name)?.installed ?? false);
}

function isOurs(doc: ImportRequest): doc is ExportDocument {
  return (doc as ExportDocument).format === 'junmai-model-metadata';
}

/** Every name in the document resolved up front; the first bad one rejects the whole import. */
function plan(store: Store, doc: ImportRequest): { models: PlannedModel[]; current: string | null } {
  const problems: string[] = [];
  const resolve = (raw: string, where: string) => {
    try {
      const r = resolveModelName(raw);
      if (!importable(store, r.name)) {
        problems.push(`${where}: ${r.name} is neither in Junmai's catalog nor installed in Ollama here (download it first, or leave it out of the document)`);
        return undefined;
      }
      return r;
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const models: PlannedModel[] = [];
  if (isOurs(doc)) {
    doc.models.forEach((m, i) => {
      const r = resolve(m.name, `models[${i}] "${m.name}"`);
      if (!r) return;
      const { usage_count = null, avg_ms = null, success_rate = null, last_used = null } = m.statistics ?? {};
      models.push({
        name: r.name,
        catalog: r.entry !== undefined,
        stats: m.statistics ? { usage_count, avg_ms, success_rate, last_used } : undefined,
        meta: { family: m.family, parameter_size: m.parameter_size, quantization: m.quantization, capabilities: m.capabilities, context_length: m.context_length },
      });
    });
  } else {
    for (const [key, m] of Object.entries((doc as LegacyDocument).models)) {
      const r = resolve(key, `models["${key}"]`);
      if (!r) continue;
      const hasStats = m.usage_count !== undefined || m.avg_inference_time !== undefined || m.success_rate !== undefined;
      models.push({
        name: r.name,
        catalog: r.entry !== undefined,
        // The old file kept seconds; we keep milliseconds.
        stats: hasStats
          ? {
              usage_count: m.usage_count ?? null,
              avg_ms: m.avg_inference_time === undefined ? null : m.avg_inference_time * 1000,
              success_rate: m.success_rate ?? null,
              last_used: m.last_used ?? null,
            }
          : undefined,
        meta: {},
      });
    }
  }
  // A current model that is not here is no reason to refuse the rest: applyImport keeps ours and says so.
  let current: string | null = null;
  if (doc.current_model) {
    try {
      current = resolveModelName(doc.current_model).name;
    } catch (err) {
      problems.push(`current_model "${doc.current_model}": ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new AppError('INVALID_IMPORT', `The document was not imported, nothing was changed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}.`, { problems });
  }
  return { models, current };
}

/**
 * Applies an export of ours or the old system's model_metadata.json in one transaction. Installed
 * state is never taken from a file (only Ollama knows it), and the current model is only taken
 * when it is installed here, so an import cannot point evaluation at a model that cannot run.
 */
export function applyImport(store: Store, doc: ImportRequest, now: Date): ImportResult {
  const { models, current } = plan(store, doc);
  const warnings: string[] = [];
  let currentModel = store.settings.get<string>(CURRENT_KEY) ?? null;
  store.transaction(() => {
    for (const m of models) {
      const row = store.models.get(m.name) ?? emptyModelRow(m.name, m.catalog ? 'catalog' : 'custom');
      for (const [k, v] of Object.entries(m.meta)) {
        if (v !== undefined && v !== null && !row.installed) (row as unknown as Record<string, unknown>)[k] = v;
      }
      if (m.stats) {
        row.imported_usage_count = m.stats.usage_count;
        row.imported_avg_ms = m.stats.avg_ms;
        row.imported_success_rate = m.stats.success_rate;
        row.imported_last_used = m.stats.last_used;
      }
      store.models.upsert(row);
    }
    if (current) {
      const row = store.models.get(current);
      if (row?.installed) {
        store.settings.set(CURRENT_KEY, current, now);
        currentModel = current;
        // As switch does: it is made current, but the photographer learns it cannot evaluate photos.
        if (knownBlind({ name: current, entry: resolveModelName(current).entry, row })) warnings.push(blindSentence(current));
      } else {
        warnings.push(`The current model "${current}" is not installed here, so the current model stays ${currentModel ?? 'unset'}. Download it, then switch to it.`);
      }
    }
  });
  return { format: isOurs(doc) ? 'junmai' : 'legacy', imported: models.map((m) => m.name), current_model: currentModel, warnings };
}

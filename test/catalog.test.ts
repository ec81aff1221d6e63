import { describe, expect, it } from 'vitest';
import { CATALOG, DEFAULT_MODEL, LEGACY_ALIASES, findCatalogEntry } from '../daemon/catalog/catalog.js';
import { estimateMemory } from '../daemon/catalog/estimate.js';
import { estimateFor } from '../daemon/models/fit.js';
import { minVramGb } from '../daemon/models/views.js';
import { canonicalModelName } from '../daemon/ollama/names.js';
import { emptyModelRow } from '../daemon/store/models-repo.js';

/** The daemon's default JUNMAI_NUM_CTX (config.ts). */
const NUM_CTX = 8192;

const REQUIRED_MODELS = [
  'llama3.2:1b', 'llama3.2:3b', 'llama3.1:8b', 'mixtral:8x7b', 'llama3.1:70b',
  'gemma3:4b', 'gemma3:12b', 'gemma3:27b', 'qwen2.5vl:7b', 'llama3.2-vision:11b', 'llava:7b', 'minicpm-v:8b', 'moondream:1.8b',
];

describe('CATALOG', () => {
  it('holds every model the photo workflow relies on', () => {
    expect(CATALOG.map((e) => e.name).sort()).toEqual([...REQUIRED_MODELS].sort());
  });

  it('uses unique, lower-case, canonical model:tag names', () => {
    const names = CATALOG.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toBe(name.toLowerCase());
      expect(name).toMatch(/^[a-z0-9][a-z0-9._-]*:[a-z0-9][a-z0-9._-]*$/);
      expect(canonicalModelName(name)).toBe(name);
    }
  });

  // Memory is in GiB (1024³ bytes), as GPU makers and nvidia-smi count it.
  const GIB = 1024 ** 3;
  it('derives every min_vram_gb from the estimator, rounded up to 0.1 GB', () => {
    for (const entry of CATALOG) {
      const { total_bytes } = estimateMemory({
        size_bytes: entry.size_bytes,
        architecture: entry.architecture,
        context_length: Math.min(NUM_CTX, entry.context_length),
        num_parallel: 1,
      });
      const gb = minVramGb({ name: entry.name, entry, row: undefined }, NUM_CTX)!;
      expect(gb, entry.name).toBe(Math.ceil(total_bytes / (GIB / 10)) / 10);
      expect(gb * GIB, entry.name).toBeGreaterThanOrEqual(total_bytes);
      expect(gb * GIB - total_bytes, entry.name).toBeLessThan(GIB / 10);
      // More memory than the download, for every model.
      expect(gb * GIB, entry.name).toBeGreaterThan(entry.size_bytes);
    }
  });

  it('keeps capabilities and vision facts consistent', () => {
    for (const entry of CATALOG) {
      const sees = entry.capabilities.includes('vision');
      expect(entry.capabilities, entry.name).toContain('completion');
      expect(entry.architecture.projector_bytes > 0, entry.name).toBe(sees);
      expect((entry.architecture.vision_graph_bytes ?? 0) > 0, entry.name).toBe(sees);
      expect(entry.architecture.projector_bytes, entry.name).toBeLessThan(entry.size_bytes);
    }
  });

  it('describes every model in plain words with sane numbers', () => {
    for (const entry of CATALOG) {
      expect(entry.description.length, entry.name).toBeGreaterThan(40);
      expect(entry.recommended_use.length, entry.name).toBeGreaterThan(30);
      expect(entry.parameter_size, entry.name).toMatch(/^\d+(\.\d+)?[MB]$/);
      expect(entry.size_bytes, entry.name).toBeGreaterThan(5e8);
      expect(entry.context_length, entry.name).toBeGreaterThanOrEqual(2048);
      expect(['speed', 'balanced', 'quality', 'specialized']).toContain(entry.purpose);
    }
  });

  it('names the oldest Ollama that runs each tag', () => {
    const versions = Object.fromEntries(CATALOG.map((e) => [e.name, e.min_ollama_version]));
    for (const [name, v] of Object.entries(versions)) expect(v, name).toMatch(/^\d+\.\d+\.\d+$/);
    // Checked against Ollama's history: the release that added each runner (see models.ts).
    expect(versions).toMatchObject({
      'gemma3:4b': '0.6.0', 'gemma3:12b': '0.6.0', 'gemma3:27b': '0.6.0', 'qwen2.5vl:7b': '0.7.0', 'llama3.2-vision:11b': '0.4.0',
      'minicpm-v:8b': '0.3.10', 'llama3.1:8b': '0.3.0', 'mixtral:8x7b': '0.1.16',
    });
  });

  it('reports parameter sizes as /api/tags does', () => {
    // Ollama counts llama3.2-vision's text GGUF only: 9.8B, not the 10.7B of model card arithmetic.
    expect(findCatalogEntry('llama3.2-vision:11b')?.parameter_size).toBe('9.8B');
    expect(findCatalogEntry('moondream:1.8b')).toMatchObject({ parameter_size: '1B', quantization: 'Q4_0', size_bytes: 1_738_451_197 });
    expect(findCatalogEntry('minicpm-v:8b')).toMatchObject({ parameter_size: '7.6B', quantization: 'Q4_0', size_bytes: 5_473_838_466 });
  });

  it('is frozen so callers cannot change the shared data', () => {
    const entry = CATALOG[0]!;
    expect(Object.isFrozen(CATALOG)).toBe(true);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.architecture)).toBe(true);
  });
});

describe('DEFAULT_MODEL', () => {
  it('is a catalog vision model that fits an 8 GB GPU', () => {
    const entry = findCatalogEntry(DEFAULT_MODEL);
    expect(entry?.capabilities).toContain('vision');
    expect(minVramGb({ name: DEFAULT_MODEL, entry, row: undefined }, NUM_CTX)).toBeLessThanOrEqual(8);
  });
});

describe('min_vram_gb', () => {
  const GIB = 1024 ** 3;

  it('is the fit estimate of the installed file, which may differ from the catalog figure', () => {
    const entry = findCatalogEntry('gemma3:4b')!;
    const row = { ...emptyModelRow(entry.name, 'catalog'), installed: true, size_bytes: entry.size_bytes + 2e9 };
    const fit = estimateFor({ size_bytes: row.size_bytes, architecture: entry.architecture }, { context_length: NUM_CTX });
    const gb = minVramGb({ name: entry.name, entry, row }, NUM_CTX)!;
    expect(gb).toBe(Math.ceil(fit.total_bytes / (GIB / 10)) / 10);
    expect(gb).toBeGreaterThan(minVramGb({ name: entry.name, entry, row: undefined }, NUM_CTX)!);
  });

  it('rounds a custom model up to the next 0.1 GB, never down and never a step too far', () => {
    for (let size = 5e8; size < 3e10; size += 9_876_543) {
      const row = { ...emptyModelRow('team/custom:1b', 'custom'), installed: true, size_bytes: size };
      const total = estimateFor({ size_bytes: size, architecture: undefined }, { context_length: NUM_CTX }).total_bytes;
      const gb = minVramGb({ name: row.name, entry: undefined, row }, NUM_CTX)!;
      expect(gb * GIB, String(size)).toBeGreaterThanOrEqual(total);
      expect(gb * GIB - total, String(size)).toBeLessThan(GIB / 10);
    }
  });
});

describe('LEGACY_ALIASES', () => {
  it('points every old tag at a catalog entry', () => {
    for (const [alias, { target }] of Object.entries(LEGACY_ALIASES)) {
      expect(findCatalogEntry(target), `${alias} -> ${target}`).toBeDefined();
      expect(findCatalogEntry(alias), alias).toBeUndefined();
      expect(canonicalModelName(alias)).toBe(alias);
    }
  });

  it('maps the instruct tags to the plain tags Ollama publishes', () => {
    expect(LEGACY_ALIASES['llama3.1:8b-instruct']?.target).toBe('llama3.1:8b');
    expect(LEGACY_ALIASES['llama3.2:3b-instruct']?.target).toBe('llama3.2:3b');
    expect(LEGACY_ALIASES['llama3.2:1b-instruct']?.target).toBe('llama3.2:1b');
    expect(LEGACY_ALIASES['mixtral:8x7b-instruct']?.target).toBe('mixtral:8x7b');
    expect(LEGACY_ALIASES['llama3.1:70b-instruct']?.target).toBe('llama3.1:70b');
  });

  it('explains the 13B that never existed', () => {
    const alias = LEGACY_ALIASES['llama3.1:13b-instruct'];
    expect(alias?.target).toBe('gemma3:12b');
    expect(alias?.note).toMatch(/no 13B/);
    expect(alias?.note).toContain('gemma3:12b');
  });
});

describe('findCatalogEntry', () => {
  it('finds entries by canonical name', () => {
    expect(findCatalogEntry('gemma3:4b')?.display_name).toBe('Gemma 3 4B');
    expect(findCatalogEntry('llama3.2-vision:11b')?.family).toBe('mllama');
  });

  it('returns undefined for unknown or non-canonical names', () => {
    expect(findCatalogEntry('gemma3')).toBeUndefined();
    expect(findCatalogEntry('Gemma3:4B')).toBeUndefined();
    expect(findCatalogEntry('llama3.1:13b-instruct')).toBeUndefined();
    expect(findCatalogEntry('')).toBeUndefined();
  });
});

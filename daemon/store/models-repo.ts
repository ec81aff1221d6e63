import type { Db } from './db.js';

/** What the store knows of one model, as Ollama last reported it. JSON columns are decoded. */
export interface ModelRow {
  name: string;
  source: 'catalog' | 'custom';
  installed: boolean;
  size_bytes: number | null;
  digest: string | null;
  family: string | null;
  parameter_size: string | null;
  quantization: string | null;
  capabilities: string[] | null;
  context_length: number | null;
  architecture: Record<string, unknown> | null;
  modified_at: string | null;
  synced_at: string | null;
  imported_usage_count: number | null;
  imported_avg_ms: number | null;
  imported_success_rate: number | null;
  imported_last_used: string | null;
  /** Where Ollama runs the model when it is a cloud model (remote_host in /api/tags); null for a local one. */
  remote_host: string | null;
}

type RawRow = Omit<ModelRow, 'installed' | 'capabilities' | 'architecture'> & {
  installed: number;
  capabilities: string | null;
  architecture: string | null;
};

const COLUMNS = [
  'name', 'source', 'installed', 'size_bytes', 'digest', 'family', 'parameter_size', 'quantization', 'capabilities',
  'context_length', 'architecture', 'modified_at', 'synced_at', 'imported_usage_count', 'imported_avg_ms',
  'imported_success_rate', 'imported_last_used', 'remote_host',
] as const;

function decode(r: RawRow): ModelRow {
  return {
    ...r,
    installed: r.installed === 1,
    capabilities: r.capabilities ? (JSON.parse(r.capabilities) as string[]) : null,
    architecture: r.architecture ? (JSON.parse(r.architecture) as Record<string, unknown>) : null,
  };
}

function encode(r: ModelRow): Record<string, unknown> {
  return {
    ...r,
    installed: r.installed ? 1 : 0,
    capabilities: r.capabilities ? JSON.stringify(r.capabilities) : null,
    architecture: r.architecture ? JSON.stringify(r.architecture) : null,
  };
}

export function emptyModelRow(name: string, source: ModelRow['source']): ModelRow {
  return {
    name, source, installed: false, size_bytes: null, digest: null, family: null, parameter_size: null, quantization: null,
    capabilities: null, context_length: null, architecture: null, modified_at: null, synced_at: null,
    imported_usage_count: null, imported_avg_ms: null, imported_success_rate: null, imported_last_used: null, remote_host: null,
  };
}

export class ModelsRepo {
  private readonly allStmt;
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly setInstalledStmt;

  constructor(db: Db) {
    this.allStmt = db.prepare<[], RawRow>('SELECT * FROM models ORDER BY name');
    this.getStmt = db.prepare<[string], RawRow>('SELECT * FROM models WHERE name = ?');
    this.upsertStmt = db.prepare(
      `INSERT INTO models (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})
       ON CONFLICT (name) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'name').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.deleteStmt = db.prepare('DELETE FROM models WHERE name = ?');
    this.setInstalledStmt = db.prepare('UPDATE models SET installed = ? WHERE name = ?');
  }

  all(): ModelRow[] {
    return this.allStmt.all().map(decode);
  }

  get(name: string): ModelRow | undefined {
    const r = this.getStmt.get(name);
    return r ? decode(r) : undefined;
  }

  upsert(row: ModelRow): void {
    this.upsertStmt.run(encode(row));
  }

  setInstalled(name: string, installed: boolean): void {
    this.setInstalledStmt.run(installed ? 1 : 0, name);
  }

  delete(name: string): void {
    this.deleteStmt.run(name);
  }
}

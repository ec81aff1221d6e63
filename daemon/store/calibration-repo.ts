import type { Db } from './db.js';

export interface CalibrationRow {
  model: string;
  digest: string | null;
  run_id: string;
  star_map: number[];
  photos: number;
  before_spearman: number | null;
  before_mae: number;
  after_spearman: number | null;
  after_mae: number;
  applied: boolean;
  created_at: string;
}

type RawRow = Omit<CalibrationRow, 'star_map' | 'applied'> & { star_map: string; applied: number };
const decode = (r: RawRow): CalibrationRow => ({ ...r, star_map: JSON.parse(r.star_map) as number[], applied: r.applied === 1 });

/** One calibration per model: the newest comparison's verdict replaces the one before. */
export class CalibrationRepo {
  private readonly putStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare(
      `INSERT OR REPLACE INTO calibrations (model, digest, run_id, star_map, photos, before_spearman, before_mae, after_spearman, after_mae, applied, created_at)
       VALUES (@model, @digest, @run_id, @star_map, @photos, @before_spearman, @before_mae, @after_spearman, @after_mae, @applied, @created_at)`,
    );
    this.getStmt = db.prepare<[string], RawRow>('SELECT * FROM calibrations WHERE model = ?');
    this.listStmt = db.prepare<[], RawRow>('SELECT * FROM calibrations ORDER BY model');
    this.deleteStmt = db.prepare('DELETE FROM calibrations WHERE model = ?');
  }

  put(row: CalibrationRow): void {
    this.putStmt.run({ ...row, star_map: JSON.stringify(row.star_map), applied: row.applied ? 1 : 0 });
  }

  get(model: string): CalibrationRow | undefined {
    const r = this.getStmt.get(model);
    return r && decode(r);
  }

  list(): CalibrationRow[] {
    return this.listStmt.all().map(decode);
  }

  delete(model: string): boolean {
    return this.deleteStmt.run(model).changes > 0;
  }
}

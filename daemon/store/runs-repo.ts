import type { Db } from './db.js';

export type RunKind = 'apply' | 'evaluate';
export type RunStatus = 'open' | 'undone' | 'partly_undone';
export type UndoOutcome = 'restored' | 'left';

export interface RunRow {
  id: string;
  kind: RunKind;
  model: string | null;
  source: string | null;
  status: RunStatus;
  created_at: string;
  undone_at: string | null;
}

/** A run with what its changes add up to. */
export interface RunSummaryRow extends RunRow {
  photo_count: number;
  change_count: number;
  /** Distinct fields changed, in no particular order. */
  fields: string[];
  restored: number;
  left: number;
}

export interface RunChangeRow {
  photo_id: string;
  field: string;
  before: unknown;
  after: unknown;
  keywords_added: string[];
  keywords_created: string[];
  undo: UndoOutcome | null;
  undo_reason: string | null;
}

export interface UndoMark {
  photo_id: string;
  field: string;
  outcome: UndoOutcome;
  reason: string | null;
}

type RawChange = Omit<RunChangeRow, 'before' | 'after' | 'keywords_added' | 'keywords_created'> & {
  before: string; after: string; keywords_added: string; keywords_created: string;
};
type RawSummary = Omit<RunSummaryRow, 'fields'> & { fields: string | null };

const SUMMARY = `SELECT r.*, count(c.id) AS change_count, count(DISTINCT c.photo_id) AS photo_count, group_concat(DISTINCT c.field) AS fields,
  coalesce(sum(c.undo = 'restored'), 0) AS restored, coalesce(sum(c.undo = 'left'), 0) AS "left"
  FROM runs r LEFT JOIN run_changes c ON c.run_id = r.id`;

const decodeSummary = (r: RawSummary): RunSummaryRow => ({ ...r, fields: r.fields ? r.fields.split(',') : [] });
const decodeChange = (c: RawChange): RunChangeRow => ({
  ...c,
  before: JSON.parse(c.before) as unknown,
  after: JSON.parse(c.after) as unknown,
  keywords_added: JSON.parse(c.keywords_added) as string[],
  keywords_created: JSON.parse(c.keywords_created) as string[],
});
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** AI runs and their changes (migration 8). */
export class RunsRepo {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      insertRun: db.prepare(`INSERT INTO runs (id, kind, model, source, status, created_at, undone_at) VALUES (@id, @kind, @model, @source, 'open', @created_at, NULL)`),
      prune: db.prepare<[string, number]>(
        `DELETE FROM runs WHERE created_at < ? OR id NOT IN (SELECT id FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
      ),
      getRun: db.prepare<[string], RawSummary>(`${SUMMARY} WHERE r.id = ? GROUP BY r.id`),
      listRuns: db.prepare<[number], RawSummary>(`${SUMMARY} GROUP BY r.id ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?`),
      findChange: db.prepare<[string, string, string], { id: number; before: string; keywords_added: string; keywords_created: string }>(
        'SELECT id, before, keywords_added, keywords_created FROM run_changes WHERE run_id = ? AND photo_id = ? AND field = ?',
      ),
      insertChange: db.prepare(
        `INSERT INTO run_changes (run_id, photo_id, field, before, after, keywords_added, keywords_created)
         VALUES (@run_id, @photo_id, @field, @before, @after, @keywords_added, @keywords_created)`,
      ),
      updateChange: db.prepare(`UPDATE run_changes SET after = @after, keywords_added = @keywords_added, keywords_created = @keywords_created WHERE id = @id`),
      changes: db.prepare<[string], RawChange>(
        'SELECT photo_id, field, before, after, keywords_added, keywords_created, undo, undo_reason FROM run_changes WHERE run_id = ? ORDER BY id',
      ),
      mark: db.prepare(`UPDATE run_changes SET undo = @outcome, undo_reason = @reason WHERE run_id = @run_id AND photo_id = @photo_id AND field = @field`),
      markRest: db.prepare<[string, string]>(`UPDATE run_changes SET undo = 'left', undo_reason = ? WHERE run_id = ? AND undo IS NULL`),
      setUndone: db.prepare<[string, string, string]>('UPDATE runs SET status = ?, undone_at = ? WHERE id = ?'),
    };
  }

  /** Records a new run and lets go of runs beyond the retention, in one transaction. */
  create(run: Omit<RunRow, 'status' | 'undone_at'>, keep: { olderThan: string; newest: number }): void {
    this.db.transaction(() => {
      this.s.insertRun.run(run);
      this.s.prune.run(keep.olderThan, keep.newest);
    })();
  }

  /** Deletes runs created before `olderThan` and all but the `newest` newest; returns how many went. */
  prune(keep: { olderThan: string; newest: number }): number {
    return this.s.prune.run(keep.olderThan, keep.newest).changes;
  }

  get(id: string): RunSummaryRow | undefined {
    const r = this.s.getRun.get(id);
    return r && decodeSummary(r);
  }

  list(limit: number): RunSummaryRow[] {
    return this.s.listRuns.all(limit).map(decodeSummary);
  }

  /**
   * Adds changes to a run in one transaction. A photo and field recorded before in the run keeps
   * its first `before` (the value undo must bring back) and takes the new `after`; the keywords
   * added and created are the union of both.
   */
  addChanges(runId: string, changes: readonly Omit<RunChangeRow, 'undo' | 'undo_reason'>[]): void {
    this.db.transaction(() => {
      for (const c of changes) {
        const after = JSON.stringify(c.after);
        const known = this.s.findChange.get(runId, c.photo_id, c.field);
        if (known) {
          this.s.updateChange.run({
            id: known.id, after,
            keywords_added: JSON.stringify(union(JSON.parse(known.keywords_added) as string[], c.keywords_added)),
            keywords_created: JSON.stringify(union(JSON.parse(known.keywords_created) as string[], c.keywords_created)),
          });
        } else {
          this.s.insertChange.run({
            run_id: runId, photo_id: c.photo_id, field: c.field, before: JSON.stringify(c.before), after,
            keywords_added: JSON.stringify(c.keywords_added), keywords_created: JSON.stringify(c.keywords_created),
          });
        }
      }
    })();
  }

  changes(id: string): RunChangeRow[] {
    return this.s.changes.all(id).map(decodeChange);
  }

  /** Marks every change named, the rest as left for `unnamedReason`, and the run with `status`, together. */
  markUndone(id: string, marks: readonly UndoMark[], unnamedReason: string, status: RunStatus, at: string): void {
    this.db.transaction(() => {
      for (const m of marks) this.s.mark.run({ run_id: id, photo_id: m.photo_id, field: m.field, outcome: m.outcome, reason: m.reason });
      this.s.markRest.run(unnamedReason, id);
      this.s.setUndone.run(status, at, id);
    })();
  }
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import {
  MAX_CHANGES_PER_RUN, RUN_FIELDS, RUNS_KEPT, RUNS_KEPT_DAYS,
  type AppendChangesRequest, type CreateRunRequest, type RunChangeView, type RunView, type UndoRunRequest,
} from '../schemas/runs.js';
import type { RunSummaryRow } from '../store/runs-repo.js';
import type { Store } from '../store/store.js';

export interface RunsDeps {
  store: Store;
  clock: Clock;
  events: EventBus;
}

const DAY_MS = 86_400_000;
/** The reason recorded for a change the undo request did not name: it was not restored. */
export const NOT_REPORTED = 'not_reported';

/**
 * The record of AI runs. The plugin writes Lightroom's catalog and reports here what it wrote and,
 * on undo, what it could restore (only fields still holding the AI's value are restored); this
 * service keeps that record consistent: a run is undone once, and an undo speaks only of changes
 * the run recorded.
 */
export class RunsService {
  constructor(private readonly deps: RunsDeps) {}

  private get repo() {
    return this.deps.store.runs;
  }

  create(req: CreateRunRequest): RunView {
    const id = randomUUID();
    this.repo.create({ id, kind: req.kind, model: req.model ?? null, source: req.source ?? null, created_at: this.now().toISOString() }, this.retention());
    const run = this.view(this.row(id));
    this.deps.events.publish('run.recorded', { run });
    return run;
  }

  /** Runs beyond the retention go; called at start, as a daemon may sit idle past the 90 days. */
  prune(): number {
    return this.repo.prune(this.retention());
  }

  list(limit: number): RunView[] {
    return this.repo.list(limit).map((r) => this.view(r));
  }

  detail(id: string): { run: RunView; changes: RunChangeView[] } {
    const run = this.view(this.row(id));
    return { run, changes: this.repo.changes(id) as RunChangeView[] };
  }

  append(id: string, req: AppendChangesRequest): RunView {
    const row = this.row(id);
    if (row.status !== 'open') throw alreadyUndone(row);
    if (row.change_count + req.changes.length > MAX_CHANGES_PER_RUN) {
      throw new AppError('INVALID_REQUEST', `A run holds at most ${MAX_CHANGES_PER_RUN.toLocaleString('en-US')} changes; record the rest in a new run.`, {
        run_id: id, change_count: row.change_count, max: MAX_CHANGES_PER_RUN,
      });
    }
    this.repo.addChanges(id, req.changes.map((c) => ({ ...c, keywords_added: c.keywords_added ?? [], keywords_created: c.keywords_created ?? [] })));
    const run = this.view(this.row(id));
    this.deps.events.publish('run.recorded', { run });
    return run;
  }

  /**
   * Records what the plugin's undo did. A change the outcomes do not name was not restored: it is
   * counted as left, with the reason `not_reported`.
   */
  undo(id: string, req: UndoRunRequest): RunView {
    const row = this.row(id);
    if (row.status !== 'open') throw alreadyUndone(row);
    const recorded = new Set(this.repo.changes(id).map((c) => `${c.field}\n${c.photo_id}`));
    const stranger = req.outcomes.find((o) => !recorded.has(`${o.field}\n${o.photo_id}`));
    if (stranger) {
      throw new AppError('INVALID_REQUEST', `This run did not change the ${stranger.field} of photo ${stranger.photo_id}, so there is nothing of it to undo. Nothing was recorded.`, {
        run_id: id, photo_id: stranger.photo_id, field: stranger.field,
      });
    }
    const restored = req.outcomes.filter((o) => o.outcome === 'restored').length;
    const status = restored === row.change_count ? 'undone' : 'partly_undone';
    const marks = req.outcomes.map((o) => ({ photo_id: o.photo_id, field: o.field, outcome: o.outcome, reason: o.reason ?? null }));
    this.repo.markUndone(id, marks, NOT_REPORTED, status, this.now().toISOString());
    const run = this.view(this.row(id));
    this.deps.events.publish('run.undone', { run });
    return run;
  }

  private row(id: string): RunSummaryRow {
    const row = this.repo.get(id);
    if (!row) throw new AppError('RUN_NOT_FOUND', `There is no AI run with this id. Runs older than ${RUNS_KEPT_DAYS} days, or beyond the newest ${RUNS_KEPT}, are no longer kept.`, { run_id: id });
    return row;
  }

  private view(r: RunSummaryRow): RunView {
    return {
      id: r.id, kind: r.kind, model: r.model, source: r.source, status: r.status,
      photo_count: r.photo_count, change_count: r.change_count,
      fields: RUN_FIELDS.filter((f) => r.fields.includes(f)),
      created_at: r.created_at, undone_at: r.undone_at,
      undo: r.status === 'open' ? null : { restored: r.restored, left: r.left },
    };
  }

  private retention(): { olderThan: string; newest: number } {
    return { olderThan: new Date(this.now().getTime() - RUNS_KEPT_DAYS * DAY_MS).toISOString(), newest: RUNS_KEPT };
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}

/** Only for a run no longer open, which markUndone gave its undone_at. */
function alreadyUndone(row: RunSummaryRow): AppError {
  return new AppError('RUN_ALREADY_UNDONE', `This AI run was already undone (${row.undone_at as string}); it cannot be changed or undone again.`, {
    run_id: row.id, status: row.status,
  });
}

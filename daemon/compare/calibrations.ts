import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { resolveModelName } from '../models/resolve.js';
import type { CalibrationView } from '../schemas/compare.js';
import type { Evaluation } from '../schemas/evaluate.js';
import type { CalibrationRow } from '../store/calibration-repo.js';
import type { Store } from '../store/store.js';
import { applyStarMap, crossValidate, MAX_RHO_LOSS, MIN_CALIBRATION_PHOTOS, MIN_MAE_GAIN } from './calibration.js';
import { BOOTSTRAP_SEED, ratedPairs, round } from './report.js';

/**
 * Fits, keeps and applies each model's calibration to the photographer's stars (issue 15 item 3).
 * The evaluation service asks `apply` for every answer, so a calibration is one indexed read.
 */
export class Calibrations {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** Fits every model of a completed comparison; each model's newest verdict replaces its earlier one. */
  fit(runId: string): CalibrationView[] {
    const run = this.deps.store.compare.get(runId);
    if (!run) throw new AppError('COMPARISON_NOT_FOUND', 'There is no comparison with that id.', { run_id: runId });
    if (run.status !== 'completed') {
      throw new AppError('COMPARISON_NOT_COMPLETED', `This comparison is ${run.status}; calibrate from a completed one (resume it first).`, { run_id: runId, status: run.status });
    }
    const photos = this.deps.store.compare.photos(runId);
    const results = this.deps.store.compare.results(runId);
    const now = this.deps.clock.now().toISOString();
    return this.deps.store.compare.models(runId).map((m) => {
      const { stars, said } = ratedPairs(photos, results.filter((r) => r.model === m.model));
      const cv = crossValidate(said, stars, { seed: BOOTSTRAP_SEED });
      if (!cv) {
        return {
          model: m.model, applied: this.deps.store.calibrations.get(m.model)?.applied ?? false, photos: stars.length, before: null, after: null, star_map: null,
          reason: `Only ${stars.length} photos have your stars and an answer from ${m.model}; a calibration needs at least ${MIN_CALIBRATION_PHOTOS}. Nothing was changed.`,
          run_id: runId, created_at: null,
        };
      }
      const row: CalibrationRow = {
        model: m.model, digest: this.deps.store.models.get(m.model)?.digest ?? null, run_id: runId, star_map: cv.map, photos: cv.photos,
        before_spearman: round(cv.before.spearman), before_mae: round(cv.before.mae) as number,
        after_spearman: round(cv.after.spearman), after_mae: round(cv.after.mae) as number, applied: cv.helps, created_at: now,
      };
      this.deps.store.calibrations.put(row);
      return view(row);
    });
  }

  list(): CalibrationView[] {
    return this.deps.store.calibrations.list().map(view);
  }

  remove(model: string): { model: string; removed: boolean } {
    const name = resolveModelName(model).name;
    return { model: name, removed: this.deps.store.calibrations.delete(name) };
  }

  /** The answer with the photographer's stars in `rating` and the model's own in `rating_raw`, when a calibration applies. */
  apply<T extends Partial<Evaluation>>(model: string, digest: string | null, result: T): T & { rating_raw?: number } {
    if (result.rating === undefined) return result;
    const c = this.deps.store.calibrations.get(model);
    if (!c?.applied || c.digest !== digest) return result;
    return { ...result, rating: applyStarMap(c.star_map, result.rating), rating_raw: result.rating };
  }
}

function view(c: CalibrationRow): CalibrationView {
  const before = { spearman: c.before_spearman, mae: c.before_mae };
  const after = { spearman: c.after_spearman, mae: c.after_mae };
  const change = `mean error ${c.before_mae.toFixed(2)} → ${c.after_mae.toFixed(2)} stars on photos it was not fitted on`;
  return {
    model: c.model, applied: c.applied, photos: c.photos, before, after, star_map: c.star_map,
    reason: c.applied
      ? `Applied: ${change}.`
      : `Not applied: it does not help enough (${change}; it must gain ${MIN_MAE_GAIN} stars and keep ρ within ${MAX_RHO_LOSS}).`,
    run_id: c.run_id, created_at: c.created_at,
  };
}

import type { CompareModelResult } from '../schemas/compare.js';
import type { ComparePhotoRow, CompareModelRow, CompareResultRow } from '../store/compare-repo.js';
import { COLD_START_LOAD_MS } from '../store/usage-repo.js';
import { cohensKappa, FLAGS, precisionRecall, type Flag } from './agreement.js';
import { keywordAgreement } from './keywords.js';
import { bootstrapInterval, nearestRank, spearman } from './stats.js';

/** One seed for every model: each model's interval is drawn from the same resamples of photos, so they compare like with like. */
export const BOOTSTRAP_SEED = 15;
/** Below this many photos with stars, a ρ says little whatever its value. */
export const MIN_RATED_PHOTOS = 10;

/** How the agreement measures weigh in a model's score; a measure the photos cannot give is left out and the rest reweighed. */
const WEIGHTS = { rating: 0.5, flags: 0.3, keywords: 0.2 } as const;
/** Scores closer than this are a tie, settled by speed. */
const TIE = 0.005;

type Measured = Omit<CompareModelResult, 'rank' | 'reasons'>;

/** Figures are reported to 3 places: more would claim a precision tens of photos cannot give. */
export const round = (v: number | null, digits = 3) => (v === null ? null : Number(v.toFixed(digits)));
const isFlag = (f: string | null): f is Flag => (FLAGS as readonly (string | null)[]).includes(f);

/** The photographer's stars and the model's for each photo that has both (0 stars is Lightroom's "unrated"). */
export function ratedPairs(photos: readonly ComparePhotoRow[], results: readonly CompareResultRow[]): { stars: number[]; said: number[] } {
  const starsOf = new Map(photos.map((p) => [p.idx, p.rating ?? 0]));
  const rated = results.filter((r) => r.success && r.rating !== null && (starsOf.get(r.idx) ?? 0) > 0);
  return { stars: rated.map((r) => starsOf.get(r.idx) as number), said: rated.map((r) => r.rating as number) };
}

/** Everything measured about one model in one run, from its rows alone. */
export function measureModel(model: CompareModelRow, photos: readonly ComparePhotoRow[], results: readonly CompareResultRow[]): Measured {
  const byIdx = new Map(photos.map((p) => [p.idx, p]));
  const ok = results.filter((r) => r.success);

  const { stars, said } = ratedPairs(photos, results);
  const rho = spearman(stars, said);
  // Where ρ is undefined (one side never varies) so is every resample's, and the interval is null too.
  const interval = bootstrapInterval(stars, said, spearman, { seed: BOOTSTRAP_SEED });

  const flagged = ok.filter((r) => isFlag(r.flag) && byIdx.get(r.idx)?.pick != null);
  const truthFlags = flagged.map((r) => byIdx.get(r.idx)?.pick as Flag);
  const modelFlags = flagged.map((r) => r.flag as Flag);
  const pr = (f: Flag) => {
    const v = precisionRecall(truthFlags, modelFlags, f);
    return { precision: round(v.precision), recall: round(v.recall) };
  };

  const kw = ok.flatMap((r) => {
    const a = keywordAgreement(byIdx.get(r.idx)?.keywords ?? [], r.keywords ?? []);
    return a ? [a] : [];
  });
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

  const warm = ok.filter((r) => r.duration_ms !== null && (r.load_ms === null || r.load_ms <= COLD_START_LOAD_MS)).map((r) => (r.duration_ms as number) / 1000);
  const p50 = nearestRank(warm, 50);
  const p95 = nearestRank(warm, 95);
  return {
    model: model.model,
    status: model.status,
    error: model.error_code ? { code: model.error_code, message: model.error_message ?? '' } : null,
    photos_done: ok.length,
    failures: {
      model: results.filter((r) => !r.success && r.fault !== 'caller').length,
      input: results.filter((r) => !r.success && r.fault === 'caller').length,
    },
    rating: { photos: stars.length, spearman: round(rho), interval_90: interval && { low: round(interval.low) as number, high: round(interval.high) as number } },
    flags: { photos: flagged.length, pick: pr('pick'), reject: pr('reject'), kappa: round(cohensKappa(truthFlags, modelFlags)) },
    keywords: { photos: kw.length, recall: round(mean(kw.map((k) => k.recall))), jaccard: round(mean(kw.map((k) => k.jaccard))) },
    speed: {
      warm_p50_seconds: round(p50),
      warm_p95_seconds: round(p95),
      photos_per_minute: model.photos_ms > 0 && ok.length > 0 ? round((ok.length * 60_000) / model.photos_ms, 1) : null,
      load_seconds: round(model.load_ms === null ? null : model.load_ms / 1000),
      loads: model.loads,
    },
    memory: model.size_bytes === null ? null : { size_bytes: model.size_bytes, vram_bytes: model.vram_bytes },
  };
}

/**
 * How far a model agrees with the photographer, 0–1: its ρ with the stars, its κ on picks and
 * rejects (both mapped from −1…1) and its keyword overlap, weighed by WEIGHTS over those the photos
 * allow, times the share of photos it did not fail through its own fault. Null with no usable answer.
 */
export function agreementScore(m: Measured): number | null {
  if (m.photos_done === 0) return null;
  const parts: Array<[number, number]> = [];
  if (m.rating.spearman !== null) parts.push([WEIGHTS.rating, (m.rating.spearman + 1) / 2]);
  if (m.flags.kappa !== null) parts.push([WEIGHTS.flags, (m.flags.kappa + 1) / 2]);
  if (m.keywords.jaccard !== null) parts.push([WEIGHTS.keywords, m.keywords.jaccard]);
  const weight = parts.reduce((a, [w]) => a + w, 0);
  const agreement = weight === 0 ? 0.5 : parts.reduce((a, [w, v]) => a + w * v, 0) / weight;
  return agreement * (m.photos_done / (m.photos_done + m.failures.model));
}

function reasonsFor(m: Measured, best: { rho: number | null }): string[] {
  const out: string[] = [];
  if (m.error) out.push(m.error.message);
  const r = m.rating;
  if (r.spearman !== null) {
    const lead = best.rho !== null && r.spearman === best.rho ? 'agrees best with your ratings: ' : 'agreement with your ratings: ';
    const ci = r.interval_90 ? ` (90% interval ${r.interval_90.low.toFixed(2)} to ${r.interval_90.high.toFixed(2)})` : '';
    out.push(`${lead}ρ ${r.spearman.toFixed(2)} on ${r.photos} photos${ci}`);
  }
  if (m.flags.kappa !== null) out.push(`picks and rejects: κ ${m.flags.kappa.toFixed(2)} on ${m.flags.photos} photos`);
  if (m.keywords.recall !== null) out.push(`finds ${Math.round(m.keywords.recall * 100)}% of your keywords`);
  if (m.failures.model > 0) out.push(`${m.failures.model} of ${m.photos_done + m.failures.model + m.failures.input} photos failed through the model's fault`);
  if (m.failures.input > 0) out.push(`${m.failures.input} photos could not be evaluated (not the model's fault)`);
  if (m.speed.warm_p50_seconds !== null) {
    const ppm = m.speed.photos_per_minute !== null ? `, ${m.speed.photos_per_minute} photos a minute` : '';
    out.push(`${m.speed.warm_p50_seconds.toFixed(1)} s per photo once loaded${ppm}`);
  }
  if (m.photos_done === 0 && !m.error) out.push('no usable answer yet');
  return out;
}

export interface Ranked {
  results: CompareModelResult[];
  summary: string;
  sample_note: string | null;
}

/** Orders the models best first, says why, and says so when the photos cannot tell the leaders apart. */
export function rank(measured: readonly Measured[]): Ranked {
  const scored = measured.map((m) => ({ m, score: agreementScore(m) }));
  const rhos = measured.map((m) => m.rating.spearman).filter((v): v is number => v !== null);
  const best = { rho: rhos.length ? Math.max(...rhos) : null };
  const speed = (m: Measured) => m.speed.warm_p50_seconds ?? Infinity;
  scored.sort((a, b) => {
    if (a.score === null || b.score === null) return a.score === null ? (b.score === null ? 0 : 1) : -1;
    if (Math.abs(a.score - b.score) > TIE) return b.score - a.score;
    return speed(a.m) - speed(b.m);
  });
  let next = 1;
  const results = scored.map(({ m, score }) => ({ ...m, rank: score === null ? null : next++, reasons: reasonsFor(m, best) }));
  const ranked = results.filter((r) => r.rank !== null);
  const first = ranked[0];
  const second = ranked[1];
  const sample_note = sampleNote(first, second);
  const summary = !first
    ? 'No model gave a usable answer on these photos; see each model\'s failures.'
    : sample_note
      ? `${first.model} leads on these photos, but they are too few to be sure.`
      : `${first.model} agrees best with you${first.reasons[0] ? `: ${first.reasons[0].replace(/^agrees best with your ratings: /, '')}` : ''}.`;
  return { results, summary, sample_note };
}

function sampleNote(first: CompareModelResult | undefined, second: CompareModelResult | undefined): string | null {
  if (!first) return null;
  const n = first.rating.photos;
  if (n < MIN_RATED_PHOTOS) {
    return `Only ${n} of these photos have your stars and an answer; agreement needs at least ${MIN_RATED_PHOTOS} (30 or more to tell similar models apart). Compare more rated photos.`;
  }
  const a = first.rating.interval_90;
  const b = second?.rating.interval_90;
  if (second && a && b && a.low <= b.high) {
    return `With ${n} rated photos, ${first.model} and ${second.model} cannot be told apart: their 90% intervals for ρ overlap. Compare more rated photos to decide.`;
  }
  return null;
}

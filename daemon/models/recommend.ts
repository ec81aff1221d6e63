import type { Fit, EstimateGb } from './fit.js';

export type Priority = 'speed' | 'balanced' | 'quality';

export interface Contender {
  model: string;
  display_name: string;
  purpose: string | null;
  parameter_count: number | null;
  installed: boolean;
  fit: Fit;
  estimate: EstimateGb;
  gpu_memory_gb: number;
  history: { count: number; success_rate: number | null; p50_ms: number | null };
  /** Spearman's ρ with the photographer's stars in their newest comparison (issue 15), when there is one. */
  agreement?: { spearman: number; photos: number };
}

/** A contender that can run here at all: rank() leaves the others out before scoring. */
export type Runnable = Contender & { fit: Exclude<Fit, 'does_not_fit'> };

export interface Scored extends Contender {
  score: number;
  reasons: string[];
}

/** Measured figures only count once there are enough photos to mean something. */
export const MIN_HISTORY = 5;
/** Below this many rated photos a comparison's ρ says little (as the comparison itself reports). */
export const MIN_AGREEMENT_PHOTOS = 10;
/**
 * Points per unit of ρ. Agreement with the photographer outweighs the catalog's guesses: 0.3 of ρ
 * (2.4) is worth more than being made for the priority and already installed together (2.25).
 */
export const AGREEMENT_WEIGHT = 8;

/**
 * Scores one model for a priority. The terms are additive and each adds its own reason, so the
 * answer can say why it chose what it chose:
 * - size: log10 of parameters (1B → 9, 70B → 10.8); quality rewards it, speed penalises it;
 * - purpose: the catalog's own judgement for the priority asked;
 * - fit: running partly on the CPU is several times slower, so it costs more than any other term;
 * - installed: no multi-gigabyte download, worth a step in size but not a step in purpose;
 * - history: a measured failure rate, and for speed a measured median time, override the guesses;
 * - agreement: how far the model agreed with the photographer's own stars, measured on their photos.
 */
export function score(c: Runnable, priority: Priority): Scored {
  const reasons: string[] = [];
  let s = 0;
  const size = Math.log10(c.parameter_count ?? 7e9);
  if (priority === 'quality') s += 2 * size;
  else if (priority === 'speed') s -= 2 * size;
  else s += 0.5 * size;
  if (c.purpose === priority) {
    s += 1.5;
    reasons.push(`made for ${priority}`);
  }
  // fits_gpu implies a GPU with memory (fit.ts), so the share below is of something.
  if (priority === 'balanced' && c.fit === 'fits_gpu' && c.estimate.total_gb > 0.85 * c.gpu_memory_gb) {
    s -= 1;
    reasons.push('fills almost all of the GPU memory');
  }
  if (c.fit === 'fits_gpu') reasons.push(`fits in GPU memory (about ${c.estimate.total_gb} GB)`);
  else {
    s -= 4;
    reasons.push(`needs about ${c.estimate.total_gb} GB, so part of it runs on the CPU (slower)`);
  }
  if (c.installed) {
    s += 0.75;
    reasons.push('already installed');
  } else reasons.push('needs a download');
  const h = c.history;
  if (h.count >= MIN_HISTORY && h.success_rate !== null) {
    if (h.success_rate < 0.95) {
      s -= (0.95 - h.success_rate) * 10;
      reasons.push(`${Math.round(h.success_rate * 100)}% of its ${h.count} photos succeeded`);
    } else reasons.push(`reliable on ${h.count} photos`);
    if (h.p50_ms !== null) {
      if (priority === 'speed') s -= Math.log10(1 + h.p50_ms / 1000);
      reasons.push(`median ${(h.p50_ms / 1000).toFixed(1)} s per photo`);
    }
  }
  const a = c.agreement;
  if (a && a.photos >= MIN_AGREEMENT_PHOTOS) {
    s += AGREEMENT_WEIGHT * a.spearman;
    reasons.unshift(`agrees with your ratings: ρ ${a.spearman.toFixed(2)} on ${a.photos} photos`);
  }
  return { ...c, score: Number(s.toFixed(3)), reasons };
}

/** Best first; models that cannot run at all are left out, and GPU fits always beat offload. */
export function rank(contenders: Contender[], priority: Priority): Scored[] {
  const runnable = contenders.filter((c): c is Runnable => c.fit !== 'does_not_fit');
  const scored = runnable.map((c) => score(c, priority)).sort((a, b) => b.score - a.score || a.model.localeCompare(b.model));
  const measured = scored.filter((c): c is Scored & Required<Pick<Scored, 'agreement'>> => c.agreement !== undefined && c.agreement.photos >= MIN_AGREEMENT_PHOTOS);
  const best = Math.max(...measured.map((c) => c.agreement.spearman));
  for (const c of measured) {
    if (measured.length > 1 && c.agreement.spearman === best) c.reasons[0] = (c.reasons[0] as string).replace('agrees with', 'agrees best with');
  }
  return scored;
}

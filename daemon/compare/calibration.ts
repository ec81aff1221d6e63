import { seededRandom, spearman } from './stats.js';

/**
 * Learning the photographer's taste: a monotone map from a model's stars to the photographer's,
 * fitted by isotonic regression (pool adjacent violators). Monotone, so it never reorders photos
 * the model ranked apart; it only moves the model's scale onto the photographer's (a model that
 * gives 4 to what the photographer calls 3, or squeezes everything into 2–4).
 */

export const STARS = [1, 2, 3, 4, 5] as const;
/** Fewer photos than this give a map that fits noise. */
export const MIN_CALIBRATION_PHOTOS = 10;
/** The gain a map must show on photos it was not fitted on before it is applied. */
export const MIN_MAE_GAIN = 0.05;
export const MAX_RHO_LOSS = 0.05;

/** The isotonic (non-decreasing) least-squares fit of y on x, as the fitted value at each distinct x, in ascending x. */
export function isotonicFit(x: readonly number[], y: readonly number[]): Map<number, number> {
  const byX = new Map<number, { sum: number; n: number }>();
  x.forEach((xi, i) => {
    const g = byX.get(xi) ?? { sum: 0, n: 0 };
    g.sum += y[i] as number;
    g.n += 1;
    byX.set(xi, g);
  });
  const blocks: Array<{ xs: number[]; sum: number; n: number }> = [];
  for (const xi of [...byX.keys()].sort((a, b) => a - b)) {
    const g = byX.get(xi) as { sum: number; n: number };
    blocks.push({ xs: [xi], sum: g.sum, n: g.n });
    // Pool while the last block's mean is below the one before it: the fit may not go down.
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as (typeof blocks)[number];
      const prev = blocks[blocks.length - 2] as (typeof blocks)[number];
      // Stryker disable next-line EqualityOperator: pooling two blocks of equal means fits the same values
      if (prev.sum / prev.n <= last.sum / last.n) break;
      blocks.splice(blocks.length - 2, 2, { xs: [...prev.xs, ...last.xs], sum: prev.sum + last.sum, n: prev.n + last.n });
    }
  }
  const fit = new Map<number, number>();
  for (const b of blocks) for (const xi of b.xs) fit.set(xi, b.sum / b.n);
  return fit;
}

/**
 * The star to give for each of the model's stars 1–5: the isotonic fit, interpolated between the
 * stars the model used and held flat beyond them, rounded to whole stars.
 */
export function starMap(raw: readonly number[], stars: readonly number[]): number[] {
  const fit = isotonicFit(raw, stars);
  const known = [...fit.keys()];
  return STARS.map((s) => {
    // Stryker disable next-line EqualityOperator: at a star the model used, interpolating from the one below gives that star's fit too
    const below = known.filter((k) => k <= s).at(-1);
    // Stryker disable next-line EqualityOperator: as below, from the one above
    const above = known.find((k) => k >= s);
    const v =
      below === undefined ? (fit.get(above as number) as number)
      : above === undefined || above === below ? (fit.get(below) as number)
      : (fit.get(below) as number) + ((s - below) / (above - below)) * ((fit.get(above) as number) - (fit.get(below) as number));
    return Math.min(5, Math.max(1, Math.round(v)));
  });
}

export const applyStarMap = (map: readonly number[], raw: number): number => map[raw - 1] ?? raw;

export interface Fit {
  spearman: number | null;
  mae: number;
}

export interface CrossValidated {
  photos: number;
  before: Fit;
  after: Fit;
  /** The map fitted on every photo: what is applied, if it helps. */
  map: number[];
  helps: boolean;
}

const fitOf = (stars: readonly number[], said: readonly number[]): Fit => ({
  spearman: spearman(stars, said),
  mae: stars.reduce((a, s, i) => a + Math.abs(s - (said[i] as number)), 0) / stars.length,
});

/**
 * k-fold cross-validation over a seeded shuffle of the photos (folds cut in the photos' own order
 * could hold every photo of one star and nothing else): each photo's calibrated star comes from a
 * map fitted without it, so "after" is what the photographer would see on new photos. The map
 * helps when it lowers the mean absolute error by at least MIN_MAE_GAIN stars without costing
 * more than MAX_RHO_LOSS of ρ, and still ranks photos apart (a positive ρ, more than one star in
 * its map). Undefined below MIN_CALIBRATION_PHOTOS.
 */
export function crossValidate(raw: readonly number[], stars: readonly number[], o: { seed: number; folds?: number }): CrossValidated | undefined {
  const n = raw.length;
  if (n < MIN_CALIBRATION_PHOTOS) return undefined;
  const k = Math.min(o.folds ?? 5, n);
  const fold = shuffledFolds(n, k, o.seed);
  const foldMaps = Array.from({ length: k }, (_, f) => {
    const train = raw.map((_, i) => i).filter((i) => fold[i] !== f);
    return starMap(train.map((i) => raw[i] as number), train.map((i) => stars[i] as number));
  });
  const predicted = raw.map((r, i) => applyStarMap(foldMaps[fold[i] as number] as number[], r));
  const before = fitOf(stars, raw);
  const after = fitOf(stars, predicted);
  const map = starMap(raw, stars);
  return { photos: n, before, after, map, helps: mapHelps(before, after, map) };
}

/**
 * Whether a map is worth applying, from its cross-validated fit. A map that gives every photo the
 * same star (what isotonic regression makes of a contrarian) ranks nothing, however it lowers the
 * error: no monotone map turns disagreement into agreement.
 */
export function mapHelps(before: Fit, after: Fit, map: readonly number[]): boolean {
  const ranks = new Set(map).size > 1 && (after.spearman ?? 0) > 0;
  const rhoLoss = (before.spearman ?? 0) - (after.spearman ?? 0);
  return ranks && before.mae - after.mae >= MIN_MAE_GAIN && rhoLoss <= MAX_RHO_LOSS;
}

/** Each of n photos' fold, 0..k−1, as even as n allows, in a seeded random order (Fisher–Yates). */
function shuffledFolds(n: number, k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  // Stryker disable next-line EqualityOperator: at 0 the swap is with itself, and no later draw is used
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  // Stryker disable next-line ArrayDeclaration: every index is assigned below, so the preallocation only saves growing
  const fold = new Array<number>(n);
  order.forEach((photo, position) => (fold[photo] = position % k));
  return fold;
}

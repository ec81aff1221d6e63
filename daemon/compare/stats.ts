/**
 * Small statistics for comparing a model with a photographer, as pure functions over plain
 * numbers. Samples are small (tens of photos), so every figure that could be fooled by a small
 * sample comes with an interval, and a degenerate sample gives null rather than a made-up number.
 */

/** Widest range of whole numbers ranked by counting; stars (0–5) and the like are far inside it. */
const COUNTING_RANGE = 64;

/** Ranks 1..n, ties sharing the mean of the ranks they span (what Spearman's ρ needs). */
export function averageRanks(values: readonly number[]): number[] {
  return countingRanks(values) ?? sortedRanks(values);
}

/**
 * The same ranks without sorting, for whole numbers in a narrow range (stars): a value's rank is
 * set by how many values are below it and how many share it. The results query bootstraps ρ over
 * a thousand resamples per model, and sorting each resample made it take hundreds of milliseconds.
 */
function countingRanks(values: readonly number[]): number[] | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isInteger(v)) return undefined;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0 || max - min > COUNTING_RANGE) return undefined;
  const counts = new Array<number>(max - min + 1).fill(0);
  for (const v of values) counts[v - min] = (counts[v - min] as number) + 1;
  // The same arithmetic as sortedRanks, so both give identical numbers.
  const rankOf = new Array<number>(counts.length);
  let start = 0;
  for (let k = 0; k < counts.length; k++) {
    const end = start + (counts[k] as number) - 1;
    rankOf[k] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return values.map((v) => rankOf[v - min] as number);
}

function sortedRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  // Stryker disable next-line ArrayDeclaration: every index is assigned below, so the preallocation only saves growing
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && (order[end + 1] as readonly [number, number])[0] === (order[start] as readonly [number, number])[0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[(order[k] as readonly [number, number])[1]] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Pearson's r; null when either side does not vary (a model that gives every photo 3 stars says
 * nothing), which fewer than two pairs never do.
 */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (y.length !== n) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's ρ: Pearson's r of the average ranks, so ties (many photos with 3 stars) are handled. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(averageRanks(x), averageRanks(y));
}

/** mulberry32: a seeded generator, so the same run always reports the same interval. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The nearest-rank percentile (as the usage statistics use): the smallest value with at least p% at or below it. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.min(index, sorted.length - 1)] as number;
}

export interface Interval {
  low: number;
  high: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;

/**
 * A percentile bootstrap interval for a statistic of paired samples: resample the pairs with
 * replacement, compute the statistic on each resample, take the (1−level)/2 and (1+level)/2
 * nearest-rank percentiles. Resamples where the statistic is undefined (every pair alike) are
 * skipped; null when fewer than half of them gave a value or there are fewer than 3 pairs.
 */
export function bootstrapInterval(
  x: readonly number[],
  y: readonly number[],
  statistic: (x: readonly number[], y: readonly number[]) => number | null,
  o: { seed: number; level?: number; resamples?: number },
): Interval | null {
  const n = x.length;
  if (n < 3) return null;
  const resamples = o.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = o.level ?? 0.9;
  const random = seededRandom(o.seed);
  const values: number[] = [];
  // Stryker disable next-line ArrayDeclaration: every index is assigned in each resample, so the preallocation only saves growing
  const bx = new Array<number>(n);
  // Stryker disable next-line ArrayDeclaration: as bx
  const by = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random() * n);
      bx[i] = x[k] as number;
      by[i] = y[k] as number;
    }
    const v = statistic(bx, by);
    if (v !== null) values.push(v);
  }
  if (values.length < resamples / 2) return null;
  return { low: nearestRank(values, ((1 - level) / 2) * 100) as number, high: nearestRank(values, ((1 + level) / 2) * 100) as number };
}

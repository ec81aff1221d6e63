/** Agreement on categories (pick / reject / none) between a model and the photographer. */

export const FLAGS = ['pick', 'reject', 'none'] as const;
export type Flag = (typeof FLAGS)[number];

export interface PrecisionRecall {
  /** Of the photos the model flagged so, the share the photographer flagged so too; null when the model flagged none. */
  precision: number | null;
  /** Of the photos the photographer flagged so, the share the model found; null when the photographer flagged none. */
  recall: number | null;
}

export function precisionRecall(truth: readonly Flag[], said: readonly Flag[], flag: Flag): PrecisionRecall {
  let both = 0;
  let saidSo = 0;
  let trulySo = 0;
  truth.forEach((t, i) => {
    const s = said[i];
    if (s === flag) saidSo++;
    if (t === flag) trulySo++;
    if (s === flag && t === flag) both++;
  });
  return { precision: saidSo === 0 ? null : both / saidSo, recall: trulySo === 0 ? null : both / trulySo };
}

/**
 * Cohen's κ: agreement beyond what two raters with these habits would reach by chance,
 * (p_observed − p_chance) / (1 − p_chance). Null when chance alone agrees fully (both always say
 * the same single label), where κ is undefined.
 */
export function cohensKappa<T>(a: readonly T[], b: readonly T[]): number | null {
  const n = a.length;
  if (n === 0 || b.length !== n) return null;
  let agree = 0;
  const countA = new Map<T, number>();
  const countB = new Map<T, number>();
  for (let i = 0; i < n; i++) {
    const x = a[i] as T;
    const y = b[i] as T;
    if (x === y) agree++;
    countA.set(x, (countA.get(x) ?? 0) + 1);
    countB.set(y, (countB.get(y) ?? 0) + 1);
  }
  let chance = 0;
  for (const [label, ca] of countA) chance += (ca / n) * ((countB.get(label) ?? 0) / n);
  if (chance === 1) return null;
  return (agree / n - chance) / (1 - chance);
}

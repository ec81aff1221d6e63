import { describe, expect, it } from 'vitest';
import { crossValidate, isotonicFit, starMap } from '../../daemon/compare/calibration.js';

const stars = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5];

describe('isotonic regression', () => {
  it('pools adjacent violators into their mean', () => {
    expect([...isotonicFit([1, 2, 3, 3, 4], [1, 3, 2, 2, 5]).entries()]).toEqual([[1, 1], [2, 7 / 3], [3, 7 / 3], [4, 5]]);
    expect([...isotonicFit([3, 1, 2], [1, 3, 2]).entries()]).toEqual([[1, 2], [2, 2], [3, 2]]);
  });

  it('maps every star 1–5: interpolated between the stars the model used, flat beyond them, rounded', () => {
    expect(starMap([2, 2, 4, 4], [1, 1, 5, 5])).toEqual([1, 1, 3, 5, 5]);
    expect(starMap([3, 3, 3, 4, 4], [1, 2, 3, 4, 5])).toEqual([2, 2, 2, 5, 5]);
  });
});

describe('cross-validated calibration', () => {
  it('helps a model whose stars are one too many, on photos it was not fitted on', () => {
    const cv = crossValidate(stars.map((s) => Math.min(5, s + 1)), stars, { seed: 15 });
    expect(cv?.map).toEqual([1, 1, 2, 3, 5]);
    expect(cv?.before.mae).toBeCloseTo(0.8, 12);
    expect(cv?.after.mae).toBeCloseTo(4 / 15, 12);
    expect(cv?.helps).toBe(true);
  });

  it('helps a model that squeezes every photo into 3 or 4 stars', () => {
    const cv = crossValidate(stars.map((s) => (s <= 3 ? 3 : 4)), stars, { seed: 15 });
    expect(cv?.map).toEqual([2, 2, 2, 5, 5]);
    expect(cv?.before.mae).toBeCloseTo(0.8, 12);
    expect(cv?.after.mae).toBeLessThan(0.75);
    expect(cv?.helps).toBe(true);
  });

  it('is not applied where it cannot help: stars already right, a contrarian flattened to one star, too few photos', () => {
    expect(crossValidate(stars, stars, { seed: 15 })).toMatchObject({ helps: false, before: { spearman: 1, mae: 0 }, after: { spearman: 1, mae: 0 } });
    const contrarian = crossValidate(stars.map((s) => 6 - s), stars, { seed: 15 });
    expect(contrarian?.map).toEqual([3, 3, 3, 3, 3]);
    expect(contrarian?.after.spearman).toBeNull();
    expect(contrarian?.helps).toBe(false);
    expect(crossValidate(stars.slice(0, 9), stars.slice(0, 9), { seed: 15 })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { crossValidate, isotonicFit, mapHelps, starMap } from '../../daemon/compare/calibration.js';

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

describe('calibration edges by value', () => {
  it('pools back through earlier blocks until the fit no longer goes down', () => {
    // 1 after 5 pools with it (3), which is below the 5 before it (11/3), which is below the 4 first: all 15/4.
    expect([...isotonicFit([1, 2, 3, 4], [4, 5, 5, 1]).entries()]).toEqual([[1, 3.75], [2, 3.75], [3, 3.75], [4, 3.75]]);
  });

  it('calibrates from ten photos on', () => {
    expect(crossValidate(stars.slice(0, 10), stars.slice(0, 10), { seed: 15 })?.photos).toBe(10);
  });

  it('applies a map that lowers the error by at least 0.05 stars, loses at most 0.05 of ρ, ranks photos apart and still agrees', () => {
    const map = [1, 2, 3, 4, 5];
    // Exactly 0.05 gained and exactly 0.05 of ρ lost (0.1 − 0.05 is 0.05 in binary too).
    expect(mapHelps({ spearman: 0.1, mae: 0.05 }, { spearman: 0.05, mae: 0 }, map)).toBe(true);
    expect(mapHelps({ spearman: 0.1, mae: 0.04 }, { spearman: 0.05, mae: 0 }, map)).toBe(false);
    expect(mapHelps({ spearman: 0.1, mae: 0.5 }, { spearman: 0.1, mae: 0.5 }, map)).toBe(false);
    expect(mapHelps({ spearman: 0.2, mae: 0.05 }, { spearman: 0.05, mae: 0 }, map)).toBe(false);
    // No ρ before counts as 0: nothing to lose.
    expect(mapHelps({ spearman: null, mae: 1 }, { spearman: 0.05, mae: 0 }, map)).toBe(true);
    // One star for every photo, or no agreement left, however much error it removes.
    expect(mapHelps({ spearman: 0.1, mae: 1 }, { spearman: 0.1, mae: 0 }, [3, 3, 3, 3, 3])).toBe(false);
    expect(mapHelps({ spearman: 0.1, mae: 1 }, { spearman: 0.1, mae: 0 }, [3, 3, 3, 3, 4])).toBe(true);
    expect(mapHelps({ spearman: 0, mae: 1 }, { spearman: 0, mae: 0 }, map)).toBe(false);
    expect(mapHelps({ spearman: null, mae: 1 }, { spearman: null, mae: 0 }, map)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { cohensKappa, precisionRecall, type Flag } from '../../daemon/compare/agreement.js';
import { keywordAgreement, normaliseKeyword } from '../../daemon/compare/keywords.js';
import { agreementScore, measureModel, rank } from '../../daemon/compare/report.js';
import { averageRanks, bootstrapInterval, nearestRank, pearson, seededRandom, spearman } from '../../daemon/compare/stats.js';
import type { CompareModelRow, ComparePhotoRow, CompareResultRow } from '../../daemon/store/compare-repo.js';

describe('Spearman ρ', () => {
  it('ranks ties by the mean of the ranks they span', () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([3, 1, 3, 3])).toEqual([3, 1, 3, 3]);
  });

  it('is Pearson r of the average ranks: 8/√95 for one tied pair out of order', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12);
  });

  it('is 1 for the same order, −1 for the reverse, null when one side never varies', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3, 4], [3, 3, 3, 3])).toBeNull();
    expect(spearman([1], [1])).toBeNull();
  });
});

describe('bootstrap interval', () => {
  const x = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3, 4];
  const y = [1, 3, 2, 4, 5, 2, 2, 3, 5, 4, 3, 3];

  it('is the same for the same seed, different for another, and holds the sample ρ', () => {
    const a = bootstrapInterval(x, y, spearman, { seed: 15 });
    expect(bootstrapInterval(x, y, spearman, { seed: 15 })).toEqual(a);
    expect(bootstrapInterval(x, y, spearman, { seed: 16 })).not.toEqual(a);
    const rho = spearman(x, y) as number;
    expect(a?.low).toBeLessThan(rho);
    expect(a?.high).toBeGreaterThan(rho);
  });

  it('is exactly [1, 1] when every photo agrees, and null under 3 pairs', () => {
    expect(bootstrapInterval([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], spearman, { seed: 1 })).toEqual({ low: 1, high: 1 });
    expect(bootstrapInterval([1, 2], [1, 2], spearman, { seed: 1 })).toBeNull();
  });
});

describe('nearest-rank percentile', () => {
  it('takes the smallest value with at least p% at or below it', () => {
    expect(nearestRank([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(nearestRank([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(nearestRank([5, 1, 3, 2, 4], 0)).toBe(1);
    expect(nearestRank([], 50)).toBeNull();
  });
});

describe('picks and rejects', () => {
  it('precision and recall per flag; null where nobody said it', () => {
    const truth: Flag[] = ['pick', 'pick', 'none', 'reject'];
    const said: Flag[] = ['pick', 'none', 'pick', 'reject'];
    expect(precisionRecall(truth, said, 'pick')).toEqual({ precision: 0.5, recall: 0.5 });
    expect(precisionRecall(truth, said, 'reject')).toEqual({ precision: 1, recall: 1 });
    expect(precisionRecall(['none', 'pick'], ['none', 'none'], 'pick')).toEqual({ precision: null, recall: 0 });
  });

  it("Cohen's κ is 7/11 when 3 of 4 agree against 5/16 by chance; null when chance agrees fully", () => {
    expect(cohensKappa(['pick', 'pick', 'reject', 'none'], ['pick', 'reject', 'reject', 'none'])).toBeCloseTo(7 / 11, 12);
    expect(cohensKappa(['pick', 'reject'], ['pick', 'reject'])).toBe(1);
    expect(cohensKappa(['pick', 'reject'], ['reject', 'pick'])).toBe(-1);
    expect(cohensKappa(['none', 'none'], ['none', 'none'])).toBeNull();
  });
});

describe('keywords', () => {
  it.each([
    ['Sunsets', 'sunset'], [' Beaches ', 'beach'], ['Cities', 'city'], ['Boxes', 'box'], ['days', 'day'],
    ['grass', 'grass'], ['bus', 'bus'], ['iris', 'iris'], ['Street   Lights', 'street light'], ['sky', 'sky'], ['gas', 'gas'],
  ])('%j normalises to %j', (raw, normal) => {
    expect(normaliseKeyword(raw)).toBe(normal);
  });

  it('recall and Jaccard after normalising; nothing to agree with when the photographer gave none', () => {
    expect(keywordAgreement(['Sunsets', 'Beach'], ['sunset', 'sea'])).toEqual({ recall: 0.5, jaccard: 1 / 3 });
    expect(keywordAgreement(['Dogs'], ['dog', 'DOGS'])).toEqual({ recall: 1, jaccard: 1 });
    expect(keywordAgreement([], ['dog'])).toBeUndefined();
    // "-ies" plurals of words that end in "ie": the photographer's singular and the model's plural are one keyword.
    expect(keywordAgreement(['Movie', 'Selfies', 'city', 'Ties'], ['movies', 'selfie', 'Cities', 'tie'])).toEqual({ recall: 1, jaccard: 1 });
  });
});

describe('ranking', () => {
  const photos: ComparePhotoRow[] = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3, 4].map((stars, idx) => ({
    idx, photo_id: `p${idx}`, image_path: `/x/${idx}.jpg`, image_base64: null, rating: stars,
    pick: stars >= 4 ? 'pick' : stars <= 2 ? 'reject' : 'none', keywords: ['Harbors'],
  }));
  const modelRow = (model: string, photosMs = 60_000): CompareModelRow => ({
    position: 0, model, status: 'done', loads: 1, load_ms: 2500, size_bytes: 5e9, vram_bytes: 5e9, photos_ms: photosMs, error_code: null, error_message: null,
  });
  const answers = (model: string, rate: (stars: number) => number, seconds: number): CompareResultRow[] =>
    photos.map((p) => {
      const r = rate(p.rating as number);
      return { model, idx: p.idx, success: true, fault: null, error_code: null, rating: r, flag: r >= 4 ? 'pick' : r <= 2 ? 'reject' : 'none', keywords: ['harbor'], duration_ms: seconds * 1000, load_ms: 15 };
    });

  it('puts a model that agrees above one that contradicts, with its ρ, κ, keyword recall and speed as reasons', () => {
    const faithful = measureModel(modelRow('faithful'), photos, answers('faithful', (s) => s, 2));
    const contrarian = measureModel(modelRow('contrarian'), photos, answers('contrarian', (s) => 6 - s, 1));
    expect(faithful.rating).toEqual({ photos: 12, spearman: 1, interval_90: { low: 1, high: 1 } });
    expect(contrarian.rating.spearman).toBe(-1);
    expect(faithful.flags).toEqual({ photos: 12, pick: { precision: 1, recall: 1 }, reject: { precision: 1, recall: 1 }, kappa: 1 });
    expect(faithful.speed).toEqual({ warm_p50_seconds: 2, warm_p95_seconds: 2, photos_per_minute: 12, load_seconds: 2.5, loads: 1 });
    expect(faithful.memory).toEqual({ size_bytes: 5e9, vram_bytes: 5e9 });

    const r = rank([contrarian, faithful]);
    expect(r.results.map((m) => [m.model, m.rank])).toEqual([['faithful', 1], ['contrarian', 2]]);
    expect(r.results[0]?.reasons).toEqual([
      'agrees best with your ratings: ρ 1.00 on 12 photos (90% interval 1.00 to 1.00)',
      'picks and rejects: κ 1.00 on 12 photos',
      'finds 100% of your keywords',
      '2.0 s per photo once loaded, 12 photos a minute',
    ]);
    expect(r.summary).toBe('faithful agrees best with you: ρ 1.00 on 12 photos (90% interval 1.00 to 1.00).');
    expect(r.sample_note).toBeNull();
  });

  it("counts only the model's own failures against it, and ranks a model with no answer last", () => {
    const own: CompareResultRow = { model: 'm', idx: 0, success: false, fault: 'model', error_code: 'MODEL_OUTPUT_INVALID', rating: null, flag: null, keywords: null, duration_ms: null, load_ms: null };
    const rows = answers('m', (s) => s, 1).slice(1);
    const withInputFailure = measureModel(modelRow('m'), photos, [{ ...own, fault: 'caller', error_code: 'IMAGE_NOT_FOUND' }, ...rows]);
    const withModelFailure = measureModel(modelRow('m'), photos, [own, ...rows]);
    expect(withInputFailure.failures).toEqual({ model: 0, input: 1 });
    expect(withModelFailure.failures).toEqual({ model: 1, input: 0 });
    expect(agreementScore(withInputFailure)).toBe(1);
    expect(agreementScore(withModelFailure)).toBeCloseTo(11 / 12, 12);
    const none = measureModel(modelRow('empty'), photos, []);
    expect(rank([none, withModelFailure]).results.map((m) => [m.model, m.rank])).toEqual([['m', 1], ['empty', null]]);
  });

  it('says so when too few photos have stars, and when the leaders’ intervals overlap', () => {
    const few = photos.slice(0, 6);
    const small = rank([measureModel(modelRow('a'), few, answers('a', (s) => s, 1).slice(0, 6))]);
    expect(small.sample_note).toBe('Only 6 of these photos have your stars and an answer; agreement needs at least 10 (30 or more to tell similar models apart). Compare more rated photos.');
    expect(small.summary).toBe('a leads on these photos, but they are too few to be sure.');

    const said = (model: string, ratings: number[]) => answers(model, (s) => s, 1).map((r) => ({ ...r, rating: ratings[r.idx] as number }));
    const a = measureModel(modelRow('a'), photos, said('a', [1, 3, 2, 4, 5, 2, 2, 3, 5, 4, 3, 3]));
    const b = measureModel(modelRow('b'), photos, said('b', [2, 3, 1, 4, 5, 2, 1, 3, 4, 4, 3, 5]));
    expect(a.rating.spearman).toBeGreaterThan(b.rating.spearman as number);
    const both = rank([b, a]);
    expect(both.results.map((m) => m.model)).toEqual(['a', 'b']);
    expect(both.sample_note).toBe('With 12 rated photos, a and b cannot be told apart: their 90% intervals for ρ overlap. Compare more rated photos to decide.');
  });
});

describe('Pearson r edges', () => {
  it('is null for fewer than two pairs, for unequal lengths, and when a side never varies', () => {
    expect(pearson([], [])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
    expect(pearson([1, 2, 3], [1, 2])).toBeNull();
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(pearson([5, 5, 5], [1, 2, 3])).toBeNull();
    expect(pearson([1, 2], [3, 1])).toBe(-1);
    // Means 2 and 2: Σdxdy = 1, Σdx² = 2, Σdy² = 2 → 0.5.
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
  });
});

describe('seeded bootstrap', () => {
  it('draws from mulberry32: the same numbers as the reference implementation', () => {
    // mulberry32(1), as an independent port of Tommy Ettinger's algorithm computes them.
    const r = seededRandom(1);
    expect([r(), r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('resamples n pairs by index from the seeded generator, once per resample', () => {
    const seen: number[][] = [];
    const x = [10, 20, 30, 40];
    const y = [1, 2, 3, 4];
    bootstrapInterval(x, y, (bx, by) => {
      seen.push([...bx], [...by]);
      return 0;
    }, { seed: 7, resamples: 3 });
    const r = seededRandom(7);
    const expected: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const picks = x.map(() => Math.floor(r() * 4));
      expected.push(picks.map((i) => x[i] as number), picks.map((i) => y[i] as number));
    }
    expect(seen).toEqual(expected);
  });

  it('takes the nearest-rank percentiles of the values, skipping undefined ones; null when more than half are undefined', () => {
    // Statistic values 1..10 in turn; every other one undefined when asked.
    const counting = (skipEvery: number) => {
      let calls = 0;
      return () => {
        calls++;
        return calls % skipEvery === 0 ? null : calls;
      };
    };
    // Ten values 1..10: the 5th and 95th percentiles by nearest rank are 1 and 10; at level 0.5, 3 and 8.
    expect(bootstrapInterval([1, 2, 3], [1, 2, 3], counting(Infinity), { seed: 1, resamples: 10 })).toEqual({ low: 1, high: 10 });
    expect(bootstrapInterval([1, 2, 3], [1, 2, 3], counting(Infinity), { seed: 1, resamples: 10, level: 0.5 })).toEqual({ low: 3, high: 8 });
    // Half undefined (1, 3, 5, 7, 9 kept): still an interval; more than half: none.
    expect(bootstrapInterval([1, 2, 3], [1, 2, 3], counting(2), { seed: 1, resamples: 10 })).toEqual({ low: 1, high: 9 });
    let calls = 0;
    expect(bootstrapInterval([1, 2, 3], [1, 2, 3], () => (++calls <= 6 ? null : calls), { seed: 1, resamples: 10 })).toBeNull();
  });

  it('resamples 1000 times by default', () => {
    let calls = 0;
    bootstrapInterval([1, 2, 3], [1, 2, 3], () => ++calls, { seed: 1 });
    expect(calls).toBe(1000);
  });
});

describe('agreement edges', () => {
  it('has no recall for a flag the photographer never gave, and no κ for no photos or unequal lengths', () => {
    expect(precisionRecall(['none', 'none'], ['pick', 'none'], 'pick')).toEqual({ precision: 0, recall: null });
    expect(cohensKappa([], [])).toBeNull();
    expect(cohensKappa(['pick', 'none'], ['pick'])).toBeNull();
  });
});

describe('keyword normalising edges', () => {
  it.each([
    // Endings inside a word are not endings.
    ['diesels', 'diesel'], ['chestnuts', 'chestnut'], ['missiles', 'missile'],
  ])('%j normalises to %j', (raw, normal) => {
    expect(normaliseKeyword(raw)).toBe(normal);
  });

  it('ignores empty keywords on either side', () => {
    expect(keywordAgreement(['', '  '], ['dog'])).toBeUndefined();
    expect(keywordAgreement(['sunset'], ['', ' ', 'Sunsets'])).toEqual({ recall: 1, jaccard: 1 });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cohensKappa, precisionRecall, type Flag } from '../../daemon/compare/agreement.js';
import { keywordAgreement } from '../../daemon/compare/keywords.js';
import { normaliseKeyword } from '../../daemon/evaluation/keyword-key.js';
import { agreementScore, BOOTSTRAP_SEED, measureModel, rank } from '../../daemon/compare/report.js';
import { averageRanks, bootstrapInterval, nearestRank, pearson, seededRandom, spearman } from '../../daemon/compare/stats.js';
import type { CompareModelRow, ComparePhotoRow, CompareResultRow } from '../../daemon/store/compare-repo.js';

describe('Spearman ρ', () => {
  it('ranks ties by the mean of the ranks they span', () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([3, 1, 3, 3])).toEqual([3, 1, 3, 3]);
  });

  it('ranks stars by counting exactly as it ranks any other numbers by sorting', () => {
    // Shifting by a half keeps the order but leaves the whole numbers that counting takes.
    fc.assert(fc.property(fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 60 }), (stars) => {
      expect(averageRanks(stars)).toEqual(averageRanks(stars.map((v) => v + 0.5)));
    }));
    expect(averageRanks([0, 1000, 5, 5])).toEqual([1, 4, 2.5, 2.5]);
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

describe('one model measured by value', () => {
  const photo = (idx: number, rating: number | null, pick: ComparePhotoRow['pick'], keywords: string[] | null): ComparePhotoRow => ({
    idx, photo_id: `p${idx}`, image_path: `/x/${idx}.jpg`, image_base64: null, rating, pick, keywords,
  });
  const photos = [
    photo(0, 5, 'pick', ['Harbors', 'Boats']),
    photo(1, 0, null, null), // unrated, unflagged, no keywords: in nothing but speed
    photo(2, 3, 'none', ['Sunset']),
    photo(3, null, 'reject', ['x']),
    photo(4, 1, 'reject', ['y']),
    photo(5, 4, 'pick', ['Sunset']),
    photo(6, 2, 'none', ['z']),
    photo(7, 2, 'none', null),
  ];
  const ok = (idx: number, rating: number | null, flag: string | null, keywords: string[] | null, duration_ms: number | null, load_ms: number | null): CompareResultRow => ({
    model: 'm', idx, success: true, fault: null, error_code: null, rating, flag, keywords, duration_ms, load_ms,
  });
  const failed = (idx: number, fault: 'model' | 'caller' | null): CompareResultRow => ({
    model: 'm', idx, success: false, fault, error_code: fault === 'caller' ? 'IMAGE_NOT_FOUND' : 'MODEL_OUTPUT_INVALID', rating: 1, flag: 'pick', keywords: ['y'], duration_ms: 100, load_ms: null,
  });
  const results = [
    ok(0, 5, 'pick', ['harbor'], 2_000, 15),
    ok(1, 3, 'pick', ['a'], 3_000, 1_000), // warm: a load of exactly a second
    ok(2, 2, 'maybe', null, 5_000, null), // not a flag; no keywords said
    ok(3, 4, 'reject', ['x', 'extra'], 1_000, 1_001), // cold: quick, but not counted
    failed(4, 'model'),
    ok(5, null, 'none', ['sunsets'], null, null),
    failed(6, 'caller'),
    failed(7, null), // no fault recorded: the model's
  ];
  const row: CompareModelRow = {
    position: 0, model: 'm', status: 'done', loads: 2, load_ms: 2_500, size_bytes: 5e9, vram_bytes: 6e9, photos_ms: 90_000, error_code: null, error_message: null,
  };

  it('rates only successful answers with stars on photos that have stars', () => {
    const m = measureModel(row, photos, results);
    // Pairs (5, 5) and (3, 2): the failure's rating, the unrated photo and the missing rating are out.
    expect(m.rating).toEqual({ photos: 2, spearman: 1, interval_90: null });
    expect([m.photos_done, m.failures]).toEqual([5, { model: 2, input: 1 }]);
  });

  it('flags only valid flags on photos the photographer flagged', () => {
    // Photos 0, 3, 5: truth pick, reject, pick; said pick, reject, none. κ: (2/3 − 1/3) / (1 − 1/3).
    expect(measureModel(row, photos, results).flags).toEqual({ photos: 3, pick: { precision: 1, recall: 0.5 }, reject: { precision: 1, recall: 1 }, kappa: 0.5 });
  });

  it('averages keyword agreement over photos with the photographer\'s keywords, none said counting as none found', () => {
    // Photo 0: 1 of 2, Jaccard 1/2; photo 2: 0, 0; photo 3: 1, 1/2; photo 5: 1, 1.
    expect(measureModel(row, photos, results).keywords).toEqual({ photos: 4, recall: 0.625, jaccard: 0.5 });
  });

  it('times warm answers only, and counts photos a minute over the time spent on photos', () => {
    // Warm: 2, 3 and 5 s (the cold one and the one without a duration are out): p50 3, p95 5. 5 photos in 90 s.
    expect(measureModel(row, photos, results).speed).toEqual({ warm_p50_seconds: 3, warm_p95_seconds: 5, photos_per_minute: 3.3, load_seconds: 2.5, loads: 2 });
    expect(measureModel({ ...row, photos_ms: 0, load_ms: null }, photos, results).speed).toMatchObject({ photos_per_minute: null, load_seconds: null });
    expect(measureModel(row, photos, [failed(4, 'model')]).speed).toMatchObject({ warm_p50_seconds: null, photos_per_minute: null });
  });

  it('carries memory and the error as recorded', () => {
    const m = measureModel(row, photos, results);
    expect([m.memory, m.error]).toEqual([{ size_bytes: 5e9, vram_bytes: 6e9 }, null]);
    const broken = measureModel({ ...row, size_bytes: null, error_code: 'OLLAMA_ERROR', error_message: null }, photos, []);
    expect([broken.memory, broken.error]).toEqual([null, { code: 'OLLAMA_ERROR', message: '' }]);
    expect(broken.keywords).toEqual({ photos: 0, recall: null, jaccard: null });
    expect(measureModel({ ...row, error_code: 'OLLAMA_ERROR', error_message: 'runner crashed' }, photos, []).error).toEqual({ code: 'OLLAMA_ERROR', message: 'runner crashed' });
  });

  it('draws its interval with the run\'s one seed', () => {
    const stars = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3, 4];
    const said = [1, 3, 2, 4, 5, 2, 2, 3, 5, 4, 3, 3];
    const m = measureModel(row, stars.map((s, idx) => photo(idx, s, null, null)), said.map((r, idx) => ok(idx, r, null, null, null, null)));
    const i = bootstrapInterval(stars, said, spearman, { seed: BOOTSTRAP_SEED }) as { low: number; high: number };
    expect(m.rating.interval_90).toEqual({ low: Number(i.low.toFixed(3)), high: Number(i.high.toFixed(3)) });
    expect(bootstrapInterval(stars, said, spearman, { seed: BOOTSTRAP_SEED + 1 })).not.toEqual(i);
  });
});

describe('agreement score and reasons by value', () => {
  type M = ReturnType<typeof measureModel>;
  const measured = (o: { model?: string; rho?: number | null; interval?: { low: number; high: number } | null; rated?: number; kappa?: number | null; jaccard?: number | null; recall?: number | null; done?: number; own?: number; input?: number; p50?: number | null; ppm?: number | null; error?: { code: string; message: string } | null }): M => ({
    model: o.model ?? 'm', status: 'done', error: o.error ?? null, photos_done: o.done ?? 10, failures: { model: o.own ?? 0, input: o.input ?? 0 },
    rating: { photos: o.rated ?? 30, spearman: o.rho === undefined ? 0.5 : o.rho, interval_90: o.interval ?? null },
    flags: { photos: 10, pick: { precision: null, recall: null }, reject: { precision: null, recall: null }, kappa: o.kappa ?? null },
    keywords: { photos: 10, recall: o.recall ?? null, jaccard: o.jaccard ?? null },
    speed: { warm_p50_seconds: o.p50 === undefined ? null : o.p50, warm_p95_seconds: null, photos_per_minute: o.ppm ?? null, load_seconds: null, loads: 1 },
    memory: null,
  });

  it('weighs ρ 0.5, κ 0.3 and keywords 0.2 over the measures there are, times the share not failed by the model', () => {
    // (0.5 × 1 + 0.3 × 0.75 + 0.2 × 0.5) × 10/12
    expect(agreementScore(measured({ rho: 1, kappa: 0.5, jaccard: 0.5, own: 2 }))).toBeCloseTo(0.825 * (10 / 12), 12);
    expect(agreementScore(measured({ rho: null, kappa: 0 }))).toBe(0.5);
    expect(agreementScore(measured({ rho: null, jaccard: 0.8 }))).toBeCloseTo(0.8, 12);
    expect(agreementScore(measured({ rho: null, input: 5 }))).toBe(0.5);
    expect(agreementScore(measured({ done: 0 }))).toBeNull();
  });

  it('says why in full sentences, failures counted over every photo', () => {
    const r = rank([measured({ model: 'a', rho: 0.5, interval: { low: 0.21, high: 0.734 }, kappa: 0.25, recall: 0.456, jaccard: 0.3, own: 2, input: 3, p50: 2.34, ppm: 12.5 })]);
    expect(r.results[0]?.reasons).toEqual([
      'agrees best with your ratings: ρ 0.50 on 30 photos (90% interval 0.21 to 0.73)',
      'picks and rejects: κ 0.25 on 10 photos',
      'finds 46% of your keywords',
      "2 of 15 photos failed through the model's fault",
      "3 photos could not be evaluated (not the model's fault)",
      '2.3 s per photo once loaded, 12.5 photos a minute',
    ]);
    expect(r.summary).toBe('a agrees best with you: ρ 0.50 on 30 photos (90% interval 0.21 to 0.73).');
    const plain = rank([measured({ rho: 0.5, p50: 4 })]).results[0]?.reasons;
    expect(plain).toEqual(['agrees best with your ratings: ρ 0.50 on 30 photos', '4.0 s per photo once loaded']);
  });

  it('puts the error first, and says "no usable answer yet" only without one', () => {
    expect(rank([measured({ rho: null, done: 0, error: { code: 'OLLAMA_ERROR', message: 'Ollama stopped.' } })]).results[0]?.reasons).toEqual(['Ollama stopped.']);
    expect(rank([measured({ rho: null, done: 0 })]).results[0]?.reasons).toEqual(['no usable answer yet']);
    expect(rank([measured({ rho: null, done: 0 })]).summary).toBe("No model gave a usable answer on these photos; see each model's failures.");
  });

  it('calls only the highest ρ best, even when it is negative, and the others plain agreement', () => {
    const r = rank([measured({ model: 'low', rho: -0.4 }), measured({ model: 'high', rho: -0.2 }), measured({ model: 'none', rho: null })]);
    expect(r.results.map((m) => [m.model, m.reasons[0]])).toEqual([
      ['none', undefined],
      ['high', 'agrees best with your ratings: ρ -0.20 on 30 photos'],
      ['low', 'agreement with your ratings: ρ -0.40 on 30 photos'],
    ]);
  });

  it('orders by score, settles scores within 0.005 by speed (no speed last), and leaves models without an answer unranked at the end', () => {
    const r = rank([
      measured({ model: 'empty', done: 0 }),
      // 0.509 and 0.5 score 0.7545 and 0.75: a tie, which the quicker wins though it scores lower.
      measured({ model: 'slow', rho: 0.509, p50: 9 }),
      measured({ model: 'unknown-speed', rho: 0.5 }),
      measured({ model: 'quick', rho: 0.5, p50: 1 }),
      measured({ model: 'best', rho: 0.53, p50: 20 }),
      measured({ model: 'empty2', done: 0 }),
    ]);
    expect(r.results.map((m) => [m.model, m.rank])).toEqual([['best', 1], ['quick', 2], ['slow', 3], ['unknown-speed', 4], ['empty', null], ['empty2', null]]);
    // A score of 0 still ranks before no score, however quick the model without an answer.
    const zero = rank([measured({ model: 'none-yet', done: 0, p50: 0.5 }), measured({ model: 'contrary', rho: -1, p50: 1 })]);
    expect(zero.results.map((m) => [m.model, m.rank])).toEqual([['contrary', 1], ['none-yet', null]]);
  });

  it('sums up a leader with no reason to give in one plain sentence', () => {
    expect(rank([measured({ model: 'm', rho: null })]).summary).toBe('m agrees best with you.');
  });

  it('notes too few rated photos below ten, and overlapping intervals only when both leaders have one and they touch', () => {
    const note = (a: Partial<Parameters<typeof measured>[0]>, b?: Partial<Parameters<typeof measured>[0]>) =>
      rank([measured({ model: 'a', rho: 0.9, ...a }), ...(b ? [measured({ model: 'b', rho: 0.1, ...b })] : [])]).sample_note;
    expect(note({ rated: 10 })).toBeNull();
    expect(note({ rated: 9 })).toBe('Only 9 of these photos have your stars and an answer; agreement needs at least 10 (30 or more to tell similar models apart). Compare more rated photos.');
    const overlap = 'With 30 rated photos, a and b cannot be told apart: their 90% intervals for ρ overlap. Compare more rated photos to decide.';
    expect(note({ interval: { low: 0.5, high: 1 } }, { interval: { low: 0, high: 0.5 } })).toBe(overlap);
    expect(note({ interval: { low: 0.501, high: 1 } }, { interval: { low: 0, high: 0.5 } })).toBeNull();
    expect(note({ interval: { low: 0.5, high: 1 } }, { interval: null })).toBeNull();
    expect(note({ interval: null }, { interval: { low: 0, high: 0.5 } })).toBeNull();
    expect(note({ interval: { low: 0.5, high: 1 } })).toBeNull();
  });
});

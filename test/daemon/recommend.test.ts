import { describe, expect, it } from 'vitest';
import { rank, score, type Contender, type Runnable } from '../../daemon/models/recommend.js';

const estimate = { total_gb: 5, weights_gb: 3, kv_cache_gb: 1, graph_gb: 0.5, vision_graph_gb: 0, projector_gb: 0.3, layer_buffer_gb: 0, overhead_gb: 0.2, context_length: 4096, num_parallel: 1 };
const contender = (o: Partial<Runnable> = {}): Runnable => ({
  model: 'a:1b', display_name: 'A', purpose: 'balanced', parameter_count: 4e9, installed: false, fit: 'fits_gpu', estimate,
  gpu_memory_gb: 8, history: { count: 0, success_rate: null, p50_ms: null }, ...o,
});

describe('recommendation scoring', () => {
  it('says why, term by term', () => {
    const s = score(contender({ installed: true }), 'balanced');
    expect(s.reasons).toEqual(['made for balanced', 'fits in GPU memory (about 5 GB)', 'already installed']);
  });

  it('ignores history below five photos, then lets a failure rate pull a model down and names it', () => {
    const fresh = score(contender(), 'balanced').score;
    expect(score(contender({ history: { count: 4, success_rate: 0, p50_ms: null } }), 'balanced').score).toBe(fresh);
    const failing = score(contender({ history: { count: 20, success_rate: 0, p50_ms: 3000 } }), 'balanced');
    expect(failing.score).toBeCloseTo(fresh - 9.5, 3);
    expect(failing.reasons).toContain('0% of its 20 photos succeeded');
    expect(failing.reasons).toContain('median 3.0 s per photo');
  });

  it('for speed, a measured median counts; for quality, size does', () => {
    const slow = score(contender({ history: { count: 10, success_rate: 1, p50_ms: 9000 } }), 'speed');
    const quick = score(contender({ history: { count: 10, success_rate: 1, p50_ms: 1000 } }), 'speed');
    expect(quick.score).toBeGreaterThan(slow.score);
    expect(score(contender({ parameter_count: 27e9 }), 'quality').score).toBeGreaterThan(score(contender({ parameter_count: 4e9 }), 'quality').score);
  });

  it('leaves out what does not fit and puts GPU fits before offload', () => {
    const ranked = rank([
      contender({ model: 'offload:1b', fit: 'fits_with_offload', installed: true }),
      { ...contender({ model: 'none:1b' }), fit: 'does_not_fit' },
      contender({ model: 'gpu:1b' }),
    ], 'balanced');
    expect(ranked.map((c) => c.model)).toEqual(['gpu:1b', 'offload:1b']);
  });

  it('weighs agreement with the photographer above the catalog, once ten rated photos back it', () => {
    const made = contender({ model: 'made:4b', installed: true });
    const agreeing = contender({ model: 'agree:4b', purpose: 'speed', agreement: { spearman: 0.5, photos: 12 } });
    expect(rank([made, agreeing], 'balanced').map((c) => [c.model, c.reasons[0]])).toEqual([
      ['agree:4b', 'agrees with your ratings: ρ 0.50 on 12 photos'],
      ['made:4b', 'made for balanced'],
    ]);
    const few = contender({ model: 'few:4b', purpose: 'speed', agreement: { spearman: 0.9, photos: 9 } });
    expect(score(few, 'balanced').score).toBe(score(contender({ model: 'few:4b', purpose: 'speed' }), 'balanced').score);
    const worse = contender({ model: 'worse:4b', agreement: { spearman: 0.2, photos: 30 } });
    expect(rank([worse, agreeing], 'balanced').map((c) => c.reasons[0])).toEqual([
      'agrees best with your ratings: ρ 0.50 on 12 photos',
      'agrees with your ratings: ρ 0.20 on 30 photos',
    ]);
  });
});

// One machine (8 GB of GPU memory) and one history, ranked for each priority. The scores follow the
// terms in recommend.ts by hand: size log10(parameters) ×2 for quality, ×−2 for speed, ×0.5 balanced;
// +1.5 made for the priority; −1 over 85 % of the GPU (balanced); −4 offload; +0.75 installed;
// −10 × (0.95 − success rate) from five photos on; −log10(1 + median s) for speed.
describe('recommendation for fixed hardware and history', () => {
  const e = (total_gb: number) => ({ ...estimate, total_gb });
  const machine: Contender[] = [
    // Exactly five photos: the history counts. 80 % succeeded.
    contender({ model: 'swift:1b', parameter_count: 1e9, purpose: 'speed', installed: true, estimate: e(2), history: { count: 5, success_rate: 0.8, p50_ms: 2000 } }),
    // Four photos, all failed: too few to count, so no penalty and no reason.
    contender({ model: 'allround:4b', parameter_count: 4e9, purpose: 'balanced', estimate: e(5), history: { count: 4, success_rate: 0, p50_ms: 9000 } }),
    // 6.9 GB of 8 is over 85 %; exactly 95 % success is reliable.
    contender({ model: 'roomy:12b', parameter_count: 12e9, purpose: null, estimate: e(6.9), history: { count: 12, success_rate: 0.95, p50_ms: 4500 } }),
    // No parameter count: taken as 7B. 6.8 GB is exactly 85 % of 8, not over it.
    contender({ model: 'edge:8b', parameter_count: null, purpose: 'quality', installed: true, estimate: e(6.8), history: { count: 30, success_rate: 0.5, p50_ms: null } }),
    // Offload, and over 85 % of the GPU, yet only the offload counts against it.
    contender({ model: 'heavy:27b', parameter_count: 27e9, purpose: 'quality', installed: true, fit: 'fits_with_offload', estimate: e(17) }),
    { ...contender({ model: 'giant:70b', parameter_count: 70e9, purpose: 'quality', installed: true, estimate: e(45) }), fit: 'does_not_fit' },
  ];
  const table = (priority: 'speed' | 'balanced' | 'quality') => rank(machine, priority).map((c) => [c.model, c.score, c.reasons]);

  it('for speed: the small model made for speed, its failures and median named', () => {
    expect(table('speed')).toEqual([
      // −18 + 1.5 + 0.75 − 1.5 − log10(3)
      ['swift:1b', -17.727, ['made for speed', 'fits in GPU memory (about 2 GB)', 'already installed', '80% of its 5 photos succeeded', 'median 2.0 s per photo']],
      ['allround:4b', -19.204, ['fits in GPU memory (about 5 GB)', 'needs a download']],
      // −2 × log10(12e9) − log10(5.5)
      ['roomy:12b', -20.899, ['fits in GPU memory (about 6.9 GB)', 'needs a download', 'reliable on 12 photos', 'median 4.5 s per photo']],
      // −2 × log10(7e9) + 0.75 − 4.5
      ['edge:8b', -23.44, ['fits in GPU memory (about 6.8 GB)', 'already installed', '50% of its 30 photos succeeded']],
      ['heavy:27b', -24.113, ['needs about 17 GB, so part of it runs on the CPU (slower)', 'already installed']],
    ]);
  });

  it('for balanced: the model made for it; a model filling the GPU loses a point and says so', () => {
    expect(table('balanced')).toEqual([
      ['allround:4b', 6.301, ['made for balanced', 'fits in GPU memory (about 5 GB)', 'needs a download']],
      ['roomy:12b', 4.04, ['fills almost all of the GPU memory', 'fits in GPU memory (about 6.9 GB)', 'needs a download', 'reliable on 12 photos', 'median 4.5 s per photo']],
      ['swift:1b', 3.75, ['fits in GPU memory (about 2 GB)', 'already installed', '80% of its 5 photos succeeded', 'median 2.0 s per photo']],
      ['heavy:27b', 1.966, ['needs about 17 GB, so part of it runs on the CPU (slower)', 'already installed']],
      ['edge:8b', 1.173, ['fits in GPU memory (about 6.8 GB)', 'already installed', '50% of its 30 photos succeeded']],
    ]);
  });

  it('for quality: size first, a median costs nothing, offload still costs four points', () => {
    expect(table('quality')).toEqual([
      ['roomy:12b', 20.158, ['fits in GPU memory (about 6.9 GB)', 'needs a download', 'reliable on 12 photos', 'median 4.5 s per photo']],
      ['allround:4b', 19.204, ['fits in GPU memory (about 5 GB)', 'needs a download']],
      ['heavy:27b', 19.113, ['made for quality', 'needs about 17 GB, so part of it runs on the CPU (slower)', 'already installed']],
      ['edge:8b', 17.44, ['made for quality', 'fits in GPU memory (about 6.8 GB)', 'already installed', '50% of its 30 photos succeeded']],
      ['swift:1b', 17.25, ['fits in GPU memory (about 2 GB)', 'already installed', '80% of its 5 photos succeeded', 'median 2.0 s per photo']],
    ]);
  });

  it('breaks a tie by name', () => {
    const twin = contender({ model: 'twin-b:4b' });
    expect(rank([twin, { ...twin, model: 'twin-a:4b' }], 'balanced').map((c) => [c.model, c.score])).toEqual([['twin-a:4b', 6.301], ['twin-b:4b', 6.301]]);
  });

  it('counts agreement from ten rated photos at eight points per unit of ρ, and says "best" only among several', () => {
    expect(score(contender({ model: 'x:4b' }), 'balanced').score).toBe(6.301);
    const ten = score(contender({ model: 'x:4b', agreement: { spearman: 0.25, photos: 10 } }), 'balanced');
    expect(ten.score).toBe(8.301); // + 8 × 0.25
    expect(ten.reasons[0]).toBe('agrees with your ratings: ρ 0.25 on 10 photos');
    // y's ρ on nine photos is no measure: x is the only one measured, so not "best" of anything.
    const alone = rank([contender({ model: 'x:4b', agreement: { spearman: 0.6, photos: 40 } }), contender({ model: 'y:4b', agreement: { spearman: 0.2, photos: 9 } })], 'balanced');
    expect(alone.map((c) => [c.model, c.reasons[0]])).toEqual([
      ['x:4b', 'agrees with your ratings: ρ 0.60 on 40 photos'],
      ['y:4b', 'made for balanced'],
    ]);
  });
});

describe('recommendation edges', () => {
  it('counts no history when every photo failed through no fault of the model (no success rate)', () => {
    const plain = score(contender(), 'balanced');
    const callerFaultsOnly = score(contender({ history: { count: 12, success_rate: null, p50_ms: null } }), 'balanced');
    expect([callerFaultsOnly.score, callerFaultsOnly.reasons]).toEqual([plain.score, plain.reasons]);
  });

  it('calls the best of several measured models best, from ten photos on', () => {
    const ranked = rank([
      contender({ model: 'x:4b', agreement: { spearman: 0.6, photos: 10 } }),
      contender({ model: 'z:4b', agreement: { spearman: 0.3, photos: 10 } }),
    ], 'balanced');
    expect(ranked.map((c) => c.reasons[0])).toEqual(['agrees best with your ratings: ρ 0.60 on 10 photos', 'agrees with your ratings: ρ 0.30 on 10 photos']);
  });
});

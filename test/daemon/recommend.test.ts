import { describe, expect, it } from 'vitest';
import { rank, score, type Contender } from '../../daemon/models/recommend.js';

const estimate = { total_gb: 5, weights_gb: 3, kv_cache_gb: 1, graph_gb: 0.5, vision_graph_gb: 0, projector_gb: 0.3, layer_buffer_gb: 0, overhead_gb: 0.2, context_length: 4096, num_parallel: 1 };
const contender = (o: Partial<Contender> = {}): Contender => ({
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
      contender({ model: 'none:1b', fit: 'does_not_fit' }),
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

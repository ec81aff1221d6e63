import { describe, expect, it } from 'vitest';
import { PullProgress } from '../daemon/downloads/progress.js';

// Lines as Ollama writes them (server/download.go): a blob on disk once with completed = total; a
// fetched one on a 60 ms ticker, starting from what its part files hold, without a closing line.
describe('PullProgress', () => {
  it('tells layers already on disk from fetched ones and from part-way ones', () => {
    const p = new PullProgress(null);
    expect(p.update('sha256:template', 1_000, 1_000, 0)).toBe(true);
    expect(p.update('sha256:weights', 10_000, 4_000, 60)).toBe(true);
    expect(p.update('sha256:weights', 10_000, 4_000, 120)).toBe(false);
    expect(p.update('sha256:weights', 10_000, 9_500, 180)).toBe(true);
    expect(p.update('sha256:projector', 2_000, undefined, 240)).toBe(false);
    expect(p.update('sha256:projector', 2_000, 1_500, 300)).toBe(true);
    expect(p.completed).toBe(1_000 + 9_500 + 1_500);
    expect(p.total).toBe(13_000);
    expect(p.partialBytes).toBe(4_000);
    expect(p.fetchedTotal).toBe(12_000);
    expect(p.bytesToHash).toBe(12_000);
    expect(p.allOnDisk).toBe(false);
  });

  it('counts a re-pull whose every layer is on disk as nothing new, with nothing to hash', () => {
    const p = new PullProgress(11_000);
    p.update('sha256:weights', 10_000, 10_000, 0);
    p.update('sha256:params', 1_000, 1_000, 0);
    expect([p.partialBytes, p.fetchedTotal, p.bytesToHash, p.allOnDisk]).toEqual([0, 0, 0, true]);
  });

  it('expects to hash the expected size less what was on disk when fetched layers wrote no line', () => {
    const p = new PullProgress(50_000);
    p.update('sha256:template', 1_000, 1_000, 0);
    expect(p.bytesToHash).toBe(49_000);
  });

  it('never lets a line that goes back lower a layer\'s completed bytes, yet counts the bytes fetched again as progress', () => {
    const p = new PullProgress(null);
    p.update('sha256:weights', 10_000, 6_000, 0);
    // A part reset mid-transfer: Ollama takes its bytes back (server/download.go downloadChunk) and fetches them again.
    expect(p.update('sha256:weights', 10_000, 5_000, 60)).toBe(false);
    expect(p.completed).toBe(6_000);
    expect(p.update('sha256:weights', 10_000, 5_500, 120)).toBe(true);
    expect(p.update('sha256:weights', 10_000, 5_500, 180)).toBe(false);
    expect(p.completed).toBe(6_000);
  });
});

// The clock is the `at` of each line (Date.now() in the pull loop), so these times are exact.
describe('PullProgress speed and ETA', () => {
  it('averages speed over samples at least 250 ms apart (0.7 old, 0.3 new) and divides what remains by it', () => {
    const p = new PullProgress(100_000);
    p.update('sha256:weights', 100_000, 0, 1_000);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([0, null]);
    // 200 ms after the first sample: too close, no speed yet.
    p.update('sha256:weights', 100_000, 5_000, 1_200);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([0, null]);
    // Exactly 250 ms: 10 000 B in 0.25 s is 40 000 B/s; 90 000 B remain, 2.25 s → 2.
    p.update('sha256:weights', 100_000, 10_000, 1_250);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([40_000, 2]);
    // A second with nothing: 0.7 × 40 000 = 28 000 B/s; 90 000 / 28 000 = 3.21 → 3.
    p.update('sha256:weights', 100_000, 10_000, 2_250);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([28_000, 3]);
    // 30 000 B in the next second: 0.7 × 28 000 + 0.3 × 30 000 = 28 600 B/s; 60 000 / 28 600 = 2.10 → 2.
    p.update('sha256:weights', 100_000, 40_000, 3_250);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([28_600, 2]);
    // All there: nothing remains.
    p.update('sha256:weights', 100_000, 100_000, 4_250);
    expect(p.bytesPerSecond).toBe(38_020); // 0.7 × 28 600 + 0.3 × 60 000
    expect(p.etaSeconds).toBe(0);
  });

  it('takes the first non-zero rate as the speed itself when nothing arrived before', () => {
    const p = new PullProgress(null);
    p.update('sha256:weights', 8_000, 0, 0);
    p.update('sha256:weights', 8_000, 0, 500);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([0, null]);
    // 2 000 B in 0.5 s = 4 000 B/s (not 0.3 × 4 000); 6 000 B remain → 1.5 s → 2.
    p.update('sha256:weights', 8_000, 2_000, 1_000);
    expect([p.bytesPerSecond, p.etaSeconds]).toEqual([4_000, 2]);
  });

  it('has no ETA without a total, however fast bytes arrive', () => {
    const p = new PullProgress(null);
    expect([p.total, p.bytesPerSecond, p.etaSeconds, p.percent]).toEqual([null, 0, null, 0]);
  });
});

describe('PullProgress percent', () => {
  it('is completed over the larger of the expected and the announced total, to one decimal, never going back, and 100 on finish', () => {
    const p = new PullProgress(20_000);
    expect(p.percent).toBe(0);
    p.update('sha256:weights', 10_000, 2_466, 0);
    // 2 466 of the 20 000 expected: 12.33 → 12.3.
    expect(p.total).toBe(20_000);
    expect(p.percent).toBe(12.3);
    // A late layer raises the total to 40 000: 2 466 / 40 000 = 6.2 %, but the figure holds.
    p.update('sha256:projector', 30_000, 0, 60);
    expect(p.total).toBe(40_000);
    expect(p.percent).toBe(12.3);
    p.update('sha256:projector', 30_000, 30_000, 120);
    expect(p.percent).toBe(81.2);
    p.finish();
    expect(p.percent).toBe(100);
    // Still pinned after a stray line.
    p.update('sha256:weights', 10_000, 2_500, 180);
    expect(p.percent).toBe(100);
  });

  it('has no total before any layer when no size was expected', () => {
    expect(new PullProgress(null).total).toBeNull();
    expect(new PullProgress(0).total).toBeNull();
    const p = new PullProgress(50_000);
    p.update('sha256:template', 1_000, 1_000, 0);
    expect(p.total).toBe(50_000);
  });
});

describe('PullProgress lines without a layer', () => {
  it('ignores a line without a digest or a total, and a fresh pull is not "all on disk"', () => {
    const p = new PullProgress(null);
    expect(p.allOnDisk).toBe(false);
    expect(p.update(undefined, 1_000, 500, 0)).toBe(false);
    expect(p.update('sha256:weights', undefined, 500, 0)).toBe(false);
    expect(p.update('sha256:weights', 0, 0, 0)).toBe(false);
    expect([p.completed, p.total, p.allOnDisk]).toEqual([0, null, false]);
  });

  it('clamps a line reporting more than the layer holds', () => {
    const p = new PullProgress(null);
    expect(p.update('sha256:weights', 1_000, 1_500, 0)).toBe(true);
    expect([p.completed, p.total, p.percent]).toEqual([1_000, 1_000, 100]);
  });

  it('hashes the expected size less what was on disk, not less what was fetched', () => {
    const p = new PullProgress(50_000);
    p.update('sha256:template', 1_000, 1_000, 0);
    p.update('sha256:weights', 10_000, 2_000, 60);
    // Fetched 10 000, expected 50 000 of which 1 000 on disk: 49 000.
    expect([p.fetchedTotal, p.bytesToHash, p.partialBytes]).toEqual([10_000, 49_000, 2_000]);
  });
});
